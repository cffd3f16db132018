-- The knowledge-base DELETE, guarded: exactly one row, backed up first, restorable.
-- @name jira.disable-2sv
-- @title Disable two-step verification for a user
-- @description Deletes the user's enrollment row, so that they sign in with their password
-- @description and set up two-step verification again. On a cluster the change may need the
-- @description node caches to expire (or a restart) before it takes effect.
-- @products jira
-- @dialects all
-- @kind destructive
-- @param username string "User name" maxLength=255
-- @expect 1
-- @backup-table AO_ED669C_TOTP_USER_ENROLLMENT
-- @backup-key USER_KEY

-- @query
DELETE FROM "AO_ED669C_TOTP_USER_ENROLLMENT"
WHERE "USER_KEY" IN (SELECT au.user_key FROM app_user au WHERE au.lower_user_name = LOWER(:username))

-- @backup
SELECT totp.*
FROM "AO_ED669C_TOTP_USER_ENROLLMENT" totp
WHERE totp."USER_KEY" IN (SELECT au.user_key FROM app_user au WHERE au.lower_user_name = LOWER(:username))
