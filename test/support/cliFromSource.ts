// The jira2fa executable from source, for tests that spawn the CLI without a build:
//   node --require tsx/cjs --import tsx/esm test/support/cliFromSource.ts <args…>
import { run } from '../../src/cli/index';

run();
