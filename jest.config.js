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
    "^cdktf-lambda-layers/(.*)$": "<rootDir>/modules/$1",
  },
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
  testTimeout: 120000,
  // Two cores: most of the time is terraform and interpreters in child processes.
  maxWorkers: 2,
};
