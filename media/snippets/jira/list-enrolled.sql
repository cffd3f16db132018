-- @name jira.list-enrolled
-- @title List enrolled users
-- @description Users with two-step verification set up, by user name, one page at a time.
-- @description Display name, email and active flag come from the user's directory with the
-- @description lowest id when the user exists in several directories.
-- @products jira
-- @dialects all
-- @kind read
-- @param limit integer "Rows per page" default=100 min=1 max=1000
-- @param offset integer "Rows to skip" default=0 min=0

SELECT au.lower_user_name AS "username",
       totp."USER_KEY" AS "user_key",
       cu.display_name AS "display_name",
       cu.email_address AS "email",
       cu.active AS "active",
       totp."CREATED_AT" AS "created_at",
       totp."MODIFIED_AT" AS "modified_at"
FROM "AO_ED669C_TOTP_USER_ENROLLMENT" totp
JOIN app_user au ON au.user_key = totp."USER_KEY"
LEFT JOIN (SELECT lower_user_name, MIN(directory_id) AS directory_id
           FROM cwd_user
           GROUP BY lower_user_name) fd ON fd.lower_user_name = au.lower_user_name
LEFT JOIN cwd_user cu ON cu.lower_user_name = fd.lower_user_name AND cu.directory_id = fd.directory_id
ORDER BY au.lower_user_name, totp."USER_KEY"
{{LIMIT :limit OFFSET :offset}}
