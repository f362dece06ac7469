// The operations' usage text and command names, apart from the code so that the CLI's help and
// dispatch never load the AWS SDK. A usage error prints the failing command's text only.
import { toolName } from "../modules/core/framework";

const TOOL = toolName();

/** The commands that talk to AWS, dispatched by bin/ to operations/cli. */
export const OPERATION_COMMANDS: readonly string[] = ["versions", "prune", "grants", "revoke"];

const CONSUMERS = `  --consumer-accounts 222233334444,… (repeatable; "organization": every active account of the
                 organization, by ListAccounts) with --consumer-role <name>: consumer accounts whose
                 functions count as users; the role is assumed in each (it needs lambda:ListFunctions)`;

const COMMANDS: Readonly<Record<string, string>> = {
  versions: `Usage: ${TOOL} versions <layer> --regions <regions> [--consumer-accounts … --consumer-role …] [common options]
  every version per region: number, created date, CodeSha256, size, runtimes, architectures,
  grants, and the functions using it (this account's by name, a consumer account's as account:function)
${CONSUMERS}
  Exit: 0 done; 1 a region failed; 4 a consumer account could not be scanned; 2 usage error`,
  prune: `Usage: ${TOOL} prune <layer> --keep N [--yes] [--include-shared] [--rollout id | --stack name…]
                                  [--pinned <arn>…] [--consumer-accounts … --consumer-role …] [common options]
  deletes all but the newest N versions; keeps every version a function uses (this account, scanned
  consumer accounts), the deployment pins (--rollout/--stack outputs, --pinned), or another account,
  organization or the public is granted (--include-shared deletes those too, never one granted to an
  account that could not be scanned); a dry run unless --yes
${CONSUMERS}
  Exit: 0 done; 1 a dry run would delete, a delete or a region failed; 3 a named stack's outputs
  cannot be read (nothing deleted); 4 a consumer account could not be scanned; 2 usage error`,
  grants: `Usage: ${TOOL} grants <layer> [--rollout id | --stack name…] [common options]
  the statements of every version; flags public versions and compares the newest with the sharing
  the synthesized stacks declare (with --rollout or --stack)
  Exit: 0 nothing found; 1 a public version, a difference from the declared sharing, or a region failed; 2 usage error`,
  revoke: `Usage: ${TOOL} revoke <layer> --principal <account|o-org|public> [--versions 3,4] [--yes]
                                   [--consumer-role name [--consumer-accounts …]] [common options]
  removes that principal's statements (by the statement ids the policy holds) from the chosen
  versions, never another principal's; with --consumer-role, first lists the functions of the
  principal's account (an organization or public: --consumer-accounts) whose next deploy breaks;
  a dry run unless --yes
  Exit: 0 done; 1 a dry run would remove, a removal or a region failed, a --versions number does not
  exist; 4 an account of the principal could not be scanned; 2 usage error`,
};

const COMMON = `  Common options:
  --regions      us-east-1,eu-west-1 (repeatable), or a rollout manifest (cdktf.out/rollout-<id>.json);
                 with --rollout and no --regions, the rollout's regions
  --rollout id   the rollout whose stacks declare the sharing and pin the deployed versions
  --stack name   a synthesized stack that does so (repeatable)
  --outdir dir   the synth output (default cdktf.out); --terraform reads outputs with terraform
                 (stacks with a remote or cloud backend always are)
  --role arn     a role to assume in each region; "{region}" is replaced
  --concurrency  regions at once (default 4)
  --json         print the result as JSON, without progress lines
  Details and every exit code: docs/operations.md`;

/** The usage of one operations command and the common options; every command's when `command` is not one. */
export function operationUsage(command: string | undefined): string {
  const texts = command !== undefined && COMMANDS[command] ? [COMMANDS[command]] : OPERATION_COMMANDS.map((c) => COMMANDS[c]);
  return `${texts.join("\n\n")}\n\n${COMMON}\n`;
}

/** Every operations command, for the CLI's full help. */
export const OPERATIONS_USAGE = `Usage after a deploy (the AWS SDK's standard credential chain: environment, profiles, SSO, roles):

${operationUsage(undefined)}`;
