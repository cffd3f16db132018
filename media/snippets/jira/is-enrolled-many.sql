-- The set form of jira.is-enrolled, used by bulk runs: one statement looks up a batch of
-- names (each bound: the IN (…) is written once per name).
-- @name jira.is-enrolled-many
-- @title Are these users enrolled?
-- @description One row per matching user: enrolled 1 or 0, and when the enrollment was
-- @description created and last modified. A listed name without a row: no user with that name.
-- @products jira
-- @dialects all
-- @kind read
-- @param usernames string[] "User names" maxLength=255

SELECT au.lower_user_name AS "username",
       au.user_key AS "user_key",
       CASE WHEN totp."USER_KEY" IS NULL THEN 0 ELSE 1 END AS "enrolled",
       totp."CREATED_AT" AS "created_at",
       totp."MODIFIED_AT" AS "modified_at"
FROM app_user au
LEFT JOIN "AO_ED669C_TOTP_USER_ENROLLMENT" totp ON totp."USER_KEY" = au.user_key
WHERE au.lower_user_name IN (LOWER(:usernames))
