// `harness suite <file.yaml>`: run a matrix of cases and compare verdicts with expectations.
export { loadSuite, parseSuite, SuiteSchemaError, type Suite, type SuiteCase, type Expectation } from './schema.js';
export { runSuite, testNameOf, type SuiteSummary, type CaseResult, type CaseRun } from './runner.js';
export { junitXml } from './junit.js';
export { writeTrendHtml } from './pages.js';
export { suiteCommand, type SuiteCommandOptions } from './command.js';
