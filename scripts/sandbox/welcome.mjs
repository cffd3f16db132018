// The README the sandbox opens in the editor: what is there and what to try. It lists user
// names and recovery codes (sandbox data), never the token or the admin's seed.

/** @param {{ jiraUrl: string, database: { host: string, port: number }, people: Array<{ username: string, displayName: string, recoveryCode?: string }> }} info */
export function welcomeReadme(info, profile) {
  const rows = info.people.map((p) => `| \`${p.username}\` | ${p.displayName} | ${p.recoveryCode ? `yes | \`${p.recoveryCode}\`` : 'no | –'} |`).join('\n');
  return `# Jira 2FA Admin sandbox

Everything here is simulated and local to this machine: a Jira Data Center stand-in at
${info.jiraUrl} and its database (PostgreSQL protocol on 127.0.0.1:${info.database.port}).
The instance **${profile.name}** (environment \`test\`) is already in the **Jira 2FA Admin**
view in the activity bar, with its token and the admin's TOTP seed in SecretStorage.

## Try it

1. Open the **Jira 2FA Admin** view (shield icon in the activity bar).
2. Right-click **${profile.name}** → **Test Connection**: you are \`admin\`, a system administrator with 2SV on.
3. Right-click it → **Unenroll User…**: user \`alice\`, code generated from the stored seed
   (or typed from an authenticator app holding the seed the terminal printed).
4. Run the **Recovery code** snippet for \`alice\`: no row any more, the REST call removed it.
5. **Show Audit Log**: every action, without any code or token.
6. **Bulk Disable 2SV…** → **Members of groups…** → \`phones-replaced\`: the preview lists the group,
   its members and you (\`admin\`) left out. Groups: \`phones-replaced\`, \`contractors\`,
   \`jira-administrators\`, \`jira-software-users\`.

A guided tour: Command Palette → **Welcome: Open Walkthrough…** → *Jira 2FA Admin: recover a locked-out user*.

## Users

The REST API and the database are one: an unenroll through REST deletes the row below,
and a row deleted by SQL makes REST answer "No enrollment found".

| user | name | 2SV | recovery code |
| --- | --- | --- | --- |
| \`admin\` | Sandbox Admin (system administrator, you) | yes | – |
| \`helpdesk\` | Help Desk (not an administrator) | yes | – |
${rows}

Stop the sandbox with Ctrl-C in its terminal. The next \`npm run sandbox\` starts fresh
(\`npm run sandbox -- --keep\` keeps this data).
`;
}
