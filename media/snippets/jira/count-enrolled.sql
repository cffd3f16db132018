-- @name jira.count-enrolled
-- @title Count enrolled users
-- @description The number of Jira users with two-step verification set up.
-- @products jira
-- @dialects all
-- @kind read

SELECT COUNT(*) AS "enrolled_users"
FROM "AO_ED669C_TOTP_USER_ENROLLMENT" totp
JOIN app_user au ON au.user_key = totp."USER_KEY"
