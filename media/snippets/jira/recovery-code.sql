-- The knowledge-base query: one user's recovery code. Portable: "quoted" names are
-- converted per dialect, :username is always a bound parameter.
-- @name jira.recovery-code
-- @title Recovery code for a user
-- @description Shows the user's two-step verification recovery code as the table stores it
-- @description (plain or encrypted, depending on the version), with the user key.
-- @products jira
-- @dialects all
-- @kind read
-- @param username string "User name" maxLength=255

SELECT totp."RECOVERY_CODE" AS "recovery_code",
       au.lower_user_name AS "username",
       totp."USER_KEY" AS "user_key"
FROM "AO_ED669C_TOTP_USER_ENROLLMENT" totp
JOIN app_user au ON au.user_key = totp."USER_KEY"
WHERE au.lower_user_name = LOWER(:username)
