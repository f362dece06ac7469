// The operations' usage text and command names, apart from the code so that the CLI's help and
// dispatch never load the AWS SDK.
import { toolName } from "../modules/framework";

const TOOL = toolName();

/** The commands that talk to AWS, dispatched by bin/ to operations/cli. */
export const OPERATION_COMMANDS: readonly string[] = ["versions", "prune", "grants", "revoke"];

export const OPERATIONS_USAGE = `Usage after a deploy:
       ${TOOL} versions <layer> --regions <regions> [common options]
       ${TOOL} prune <layer> --keep N [--yes] [--pinned <arn>…] [common options]
       ${TOOL} grants <layer> [common options]
       ${TOOL} revoke <layer> --principal <account|o-org|public> [--versions 3,4] [--yes] [common options]

  These read and change deployed layers through the AWS SDK (standard credential chain:
  environment, profiles, SSO, roles).
  versions   every version per region: number, created date, CodeSha256, size, runtimes,
             architectures, grants, and the functions of this account that use it
  prune      deletes all but the newest --keep N versions, never one a function of the account
             uses nor one the deployment pins (--rollout/--stack outputs, --pinned); a dry run
             unless --yes
  grants     the statements of every version; flags public versions and compares the newest with
             the sharing the synthesized stacks declare (with --rollout or --stack)
  revoke     removes that principal's statements (by the statement ids the policy holds) from the
             chosen versions, never another principal's; a dry run unless --yes

  Common options:
  --regions      us-east-1,eu-west-1 (repeatable), or a rollout manifest (cdktf.out/rollout-<id>.json);
                 with --rollout and no --regions, the rollout's regions
  --rollout id   the rollout whose stacks declare the sharing and pin the deployed versions
  --stack name   a synthesized stack that does so (repeatable)
  --outdir dir   the synth output (default cdktf.out); --terraform reads outputs with terraform
  --role arn     a role to assume in each region; "{region}" is replaced
  --concurrency  regions at once (default 4)
  --json         print the result as JSON, without progress lines

Exit codes of versions, prune, grants and revoke: 0 nothing found; 1 a region failed, prune would
delete or failed to delete versions, grants found a public version or a difference from the
declared sharing, revoke would remove or failed to remove statements; 2 usage error.
`;
