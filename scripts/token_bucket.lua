-- Our first user's token-bucket rate limiter (EVAL/EVALSHA over HMGET, HMSET, EXPIRE, math.min, math.floor).
-- KEYS[1] = bucket; ARGV = rate (tokens/s), capacity, now (s), requested tokens.
local key = KEYS[1]
local rate = tonumber(ARGV[1]); local capacity = tonumber(ARGV[2]); local now = tonumber(ARGV[3]); local requested = tonumber(ARGV[4])
local fill_time = capacity / rate; local ttl = math.floor(fill_time * 2)
local bucket = redis.call("HMGET", key, "tokens", "ts")
local tokens = tonumber(bucket[1]); if tokens == nil then tokens = capacity end
local ts = tonumber(bucket[2]); if ts == nil then ts = 0 end
local delta = math.max(0, now - ts); local filled = math.min(capacity, tokens + delta * rate)
local allowed = filled >= requested; local new_tokens = filled
if allowed then new_tokens = filled - requested end
redis.call("HMSET", key, "tokens", new_tokens, "ts", now)
redis.call("EXPIRE", key, ttl)
return { allowed and 1 or 0, new_tokens }
