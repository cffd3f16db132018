-- The knowledge-base query: one user's recovery code. Portable: "quoted" names are
-- converted per dialect, :username is always a bound parameter.
-- @name confluence.recovery-code
-- @title Recovery code for a user
-- @description Shows the user's two-step verification recovery code as the table stores it
-- @description (plain or encrypted, depending on the version), with the user key.
-- @products confluence
-- @dialects all
-- @kind read
-- @param username string "User name" maxLength=255

SELECT totp."RECOVERY_CODE" AS "recovery_code",
       um.username AS "username",
       totp."USER_KEY" AS "user_key"
FROM "AO_ED669C_TOTP_USER_ENROLLMENT" totp
JOIN user_mapping um ON um.user_key = totp."USER_KEY"
WHERE um.lower_username = LOWER(:username)
