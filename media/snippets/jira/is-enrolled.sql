-- @name jira.is-enrolled
-- @title Is a user enrolled?
-- @description One row per matching user: enrolled 1 or 0, and when the enrollment was
-- @description created and last modified. No row: no user with that name.
-- @products jira
-- @dialects all
-- @kind read
-- @param username string "User name" maxLength=255

SELECT au.lower_user_name AS "username",
       au.user_key AS "user_key",
       CASE WHEN totp."USER_KEY" IS NULL THEN 0 ELSE 1 END AS "enrolled",
       totp."CREATED_AT" AS "created_at",
       totp."MODIFIED_AT" AS "modified_at"
FROM app_user au
LEFT JOIN "AO_ED669C_TOTP_USER_ENROLLMENT" totp ON totp."USER_KEY" = au.user_key
WHERE au.lower_user_name = LOWER(:username)
