-- The set form of confluence.disable-2sv, used by bulk runs: exactly one row per listed user,
-- all backed up first, restorable. The IN (…) is written once per name, each name bound.
-- @name confluence.disable-2sv-many
-- @title Disable two-step verification for several users
-- @description Deletes the enrollment row of every listed user (exactly one each), so that
-- @description they sign in with their password and set up two-step verification again. On a
-- @description cluster the change may need the node caches to expire (or a restart) first.
-- @products confluence
-- @dialects all
-- @kind destructive
-- @param usernames string[] "User names" maxLength=255
-- @expect :usernames
-- @backup-table AO_ED669C_TOTP_USER_ENROLLMENT
-- @backup-key USER_KEY

-- @query
DELETE FROM "AO_ED669C_TOTP_USER_ENROLLMENT"
WHERE "USER_KEY" IN (SELECT um.user_key FROM user_mapping um WHERE um.lower_username IN (LOWER(:usernames)))

-- @backup
SELECT totp.*
FROM "AO_ED669C_TOTP_USER_ENROLLMENT" totp
WHERE totp."USER_KEY" IN (SELECT um.user_key FROM user_mapping um WHERE um.lower_username IN (LOWER(:usernames)))
