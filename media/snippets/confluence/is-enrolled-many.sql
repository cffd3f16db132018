-- The set form of confluence.is-enrolled, used by bulk runs: one statement looks up a batch of
-- names (each bound: the IN (…) is written once per name).
-- @name confluence.is-enrolled-many
-- @title Are these users enrolled?
-- @description One row per matching user: enrolled 1 or 0, and when the enrollment was
-- @description created and last modified. A listed name without a row: no user with that name.
-- @products confluence
-- @dialects all
-- @kind read
-- @param usernames string[] "User names" maxLength=255

SELECT um.username AS "username",
       um.user_key AS "user_key",
       CASE WHEN totp."USER_KEY" IS NULL THEN 0 ELSE 1 END AS "enrolled",
       totp."CREATED_AT" AS "created_at",
       totp."MODIFIED_AT" AS "modified_at"
FROM user_mapping um
LEFT JOIN "AO_ED669C_TOTP_USER_ENROLLMENT" totp ON totp."USER_KEY" = um.user_key
WHERE um.lower_username IN (LOWER(:usernames))
