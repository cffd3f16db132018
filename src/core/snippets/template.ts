/** The commented file "New snippet…" writes: a valid read snippet that explains every directive. */

/** A snippet name from a file name: lower case, safe characters. */
export function snippetNameFrom(fileBase: string): string {
  return fileBase.toLowerCase().replace(/\.sql$/, '').replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 100) || 'my-snippet';
}

export function snippetTemplate(name: string): string {
  return `-- A saved recovery snippet for Jira 2FA Admin. Lines starting with "-- @" form the header;
-- the editor underlines mistakes in it. Syntax: docs/snippets.md.
-- @name ${name}
-- @title Describe what it shows
-- @description One or more lines that tell an admin what the snippet does and when to use it.
-- @products jira
-- @dialects all
-- @kind read
-- @param username string "User name" maxLength=255
--
-- Parameters are written :name and are always bound by the driver, never pasted into the SQL.
-- Write identifiers in "double quotes": they are re-quoted for MySQL (\`…\`) and SQL Server ([…]).
-- A change is "@kind destructive" and also needs "@expect 1", "@backup-table", "@backup-key"
-- and a "-- @backup" section selecting exactly the rows it changes (they are saved first).

-- @query
SELECT au.lower_user_name AS username, totp."CREATED_AT" AS created_at
FROM app_user au
JOIN "AO_ED669C_TOTP_USER_ENROLLMENT" totp ON totp."USER_KEY" = au.user_key
WHERE au.lower_user_name = LOWER(:username)
`;
}
