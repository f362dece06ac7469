const { exports: exportsTable } = require("./package.json");

// "cdktf-lambda-layers/<subpath>" -> the source file its entry in package.json's exports is built from
// (./dist/modules/aws/runtime.js -> modules/aws/runtime), so a test imports what a user's subpath gets.
const subpathSources = Object.fromEntries(
  Object.entries(exportsTable)
    .filter(([subpath, target]) => subpath !== "." && typeof target === "object")
    .map(([subpath, target]) => [
      `^cdktf-lambda-layers/${subpath.slice(2)}$`,
      `<rootDir>/${target.default.replace(/^\.\/dist\//, "").replace(/\.js$/, "")}`,
    ]),
);

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": "ts-jest",
  },
  // Examples import the package by name, as users do; tests run them against the source.
  moduleNameMapper: {
    "^cdktf-lambda-layers$": "<rootDir>/modules/index.ts",
    ...subpathSources,
  },
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
  testTimeout: 120000,
  // Two cores: most of the time is terraform and interpreters in child processes.
  maxWorkers: 2,
};
