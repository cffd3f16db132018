-- @name confluence.count-enrolled
-- @title Count enrolled users
-- @description The number of Confluence users with two-step verification set up.
-- @products confluence
-- @dialects all
-- @kind read

SELECT COUNT(*) AS "enrolled_users"
FROM "AO_ED669C_TOTP_USER_ENROLLMENT" totp
JOIN user_mapping um ON um.user_key = totp."USER_KEY"
