/**
 * Every CLI command module. To add one: create src/cli/commands/<name>.ts exporting
 * `register(program, ctx)` (see types.ts) and add one line below.
 */
import type { CliCommand } from './types';
import * as instances from './instances';
import * as audit from './audit';
import * as unenroll from './unenroll';
import * as bulk from './bulk';
import * as cloud from './cloud';
import * as login from './login';
import * as sql from './sql';
import * as backups from './backups';

export const COMMANDS: CliCommand[] = [
  instances,
  audit,
  unenroll,
  bulk,
  cloud,
  login,
  sql,
  backups,
];
