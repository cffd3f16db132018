/** The CLI's version, from package.json (esbuild inlines the one member used). */
import { version } from '../../package.json';

export const CLI_VERSION: string = version;
