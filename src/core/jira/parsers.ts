/**
 * The JSON answers of the read endpoints, per product, turned into what the app uses. Each
 * parser takes the parsed body and returns undefined when the body is not the documented
 * shape (the caller then reports "not the expected JSON"). The contract suite runs them on
 * Atlassian's documented examples (test/contract/atlassian/datacenter/).
 */

export interface ServerInfo {
  version: string;
  serverTitle?: string;
  buildNumber?: number;
  deploymentType?: string;
}

export interface SignedInUser {
  username: string;
  displayName?: string;
  key?: string;
}

export interface TsvStatus {
  twoSVActive: boolean;
  /** The TOTP method's flags, when the server lists it. */
  totpEnabled?: boolean;
  totpEnforced?: boolean;
}

type Json = Record<string, unknown>;

/**
 * Jira serverInfo, Confluence server-information, Bitbucket application-properties and Bamboo
 * info all carry `version`; the build number is a number (Jira, Confluence) or a numeric
 * string (Bitbucket, Bamboo); the title is serverTitle (Jira) or displayName (Bitbucket).
 */
export function parseServerInfo(j: Json): ServerInfo | undefined {
  if (typeof j.version !== 'string' || !j.version) return undefined;
  const build = typeof j.buildNumber === 'number' ? j.buildNumber : typeof j.buildNumber === 'string' && /^\d{1,15}$/.test(j.buildNumber) ? Number(j.buildNumber) : undefined;
  const title = typeof j.serverTitle === 'string' ? j.serverTitle : typeof j.displayName === 'string' ? j.displayName : undefined;
  return {
    version: j.version,
    ...(title !== undefined ? { serverTitle: title } : {}),
    ...(build !== undefined ? { buildNumber: build } : {}),
    ...(typeof j.deploymentType === 'string' ? { deploymentType: j.deploymentType } : {}),
  };
}

/** Jira myself ({name, key}) and Confluence user/current ({type, username, userKey}); "" for Confluence's anonymous answer. */
export function parseSignedInUser(j: Json): SignedInUser | undefined {
  if (j.type === 'anonymous') return { username: '' };
  const username = typeof j.name === 'string' ? j.name : typeof j.username === 'string' ? j.username : undefined;
  if (!username) return undefined;
  return {
    username,
    ...(typeof j.displayName === 'string' ? { displayName: j.displayName } : {}),
    ...(typeof j.key === 'string' ? { key: j.key } : typeof j.userKey === 'string' ? { key: j.userKey } : {}),
  };
}

/** Jira mypermissions?permissions=SYSTEM_ADMIN: permissions.SYSTEM_ADMIN.havePermission. */
export function parseSystemAdmin(j: Json): boolean | undefined {
  const perms = j.permissions as Record<string, { havePermission?: unknown } | undefined> | undefined;
  const have = perms && typeof perms === 'object' ? perms.SYSTEM_ADMIN?.havePermission : undefined;
  return typeof have === 'boolean' ? have : undefined;
}

/**
 * tsv status of the signed-in user. Bitbucket's REST spec names the flag `twoSVActive` in one
 * place and `isTwoSVActive` in another (reference section 4): both are read, neither assumed.
 */
export function parseTsvStatus(j: Json): TsvStatus | undefined {
  const active = typeof j.twoSVActive === 'boolean' ? j.twoSVActive : typeof j.isTwoSVActive === 'boolean' ? j.isTwoSVActive : undefined;
  if (active === undefined) return undefined;
  const totp = Array.isArray(j.methods) ? (j.methods as Array<Json | null>).find((m) => m?.type === 'TOTP') : undefined;
  return {
    twoSVActive: active,
    ...(typeof totp?.enabled === 'boolean' ? { totpEnabled: totp.enabled } : {}),
    ...(typeof totp?.enforced === 'boolean' ? { totpEnforced: totp.enforced } : {}),
  };
}
