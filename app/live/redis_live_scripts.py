"""The Lua scripts of the Redis live index (app/live/redis_live_index.py): one per write, so "only a newer
fix replaces the stored one" and "index only while online and available" hold when processes race; and the
nearby search, which widens its circle inside Redis."""

from __future__ import annotations

from enum import Enum


class Script(Enum):
    """The index's Lua scripts, each run by EVALSHA (loaded on first use and again after a Redis restart)."""

    # Every fix queued while a pipeline was in flight, in one call (oldest first; the same worker may
    # appear twice). ARGV: hash key prefix, ttl ms, max indexable latitude, then per fix: id, lng, lat,
    # ts, acc, biz, seen and its `live:where` entry. Returns {stored, available} per fix; a fix not newer
    # than the stored one is refused.
    FIXES = """
local out = {}
local maxlat = tonumber(ARGV[3])
for i = 4, #ARGV, 8 do
  local id = ARGV[i]
  local key = ARGV[1] .. id
  local s = redis.call('HMGET', key, 'ts', 'av', 'on')
  local av = s[2] == '1' and 1 or 0
  if s[1] and tonumber(s[1]) >= tonumber(ARGV[i + 3]) then
    out[#out + 1] = 0
  else
    redis.call('HSET', key, 'lng', ARGV[i + 1], 'lat', ARGV[i + 2], 'ts', ARGV[i + 3], 'acc', ARGV[i + 4],
      'biz', ARGV[i + 5], 'seen', ARGV[i + 6])
    redis.call('PEXPIRE', key, ARGV[2])
    if s[3] == '1' and av == 1 and math.abs(tonumber(ARGV[i + 2])) <= maxlat then
      redis.call('GEOADD', KEYS[1], ARGV[i + 1], ARGV[i + 2], id)
      redis.call('ZADD', KEYS[2], ARGV[i + 6], id)
      redis.call('HSET', KEYS[3], id, ARGV[i + 7])
    end
    out[#out + 1] = 1
  end
  out[#out + 1] = av
end
return out
"""
    PRESENCE = """
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'biz', ARGV[2]) end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'on', ARGV[3]) end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'av', ARGV[4]) end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
local s = redis.call('HMGET', KEYS[1], 'on', 'lng', 'lat', 'seen', 'av', 'biz')
if s[1] == '1' and s[5] == '1' and s[2] and math.abs(tonumber(s[3])) <= tonumber(ARGV[6]) then
  redis.call('GEOADD', KEYS[2], s[2], s[3], ARGV[1])
  redis.call('ZADD', KEYS[3], s[4], ARGV[1])
  redis.call('HSET', KEYS[4], ARGV[1], s[2] .. ' ' .. s[3] .. ' ' .. (s[6] or ''))
else
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('HDEL', KEYS[4], ARGV[1])
end
return redis.call('HGETALL', KEYS[1])
"""
    SWEEP = """
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1], 'LIMIT', 0, ARGV[2])
if #stale > 0 then
  redis.call('ZREM', KEYS[1], unpack(stale))
  redis.call('ZREM', KEYS[2], unpack(stale))
  redis.call('HDEL', KEYS[3], unpack(stale))
end
return #stale
"""
    # The GEO set holds only online, available workers; freshness and business are checked beside it: ask
    # for the `count` nearest, read their last-seen times (which the answer shows) and `live:where` in one
    # call each, keep the fresh ones of an allowed business, and return as soon as `limit` of them pass.
    # GEOSEARCH costs in proportion to the points in the cells it scans (a 2 km circle of a dense city is
    # ~25x a 250 m one here) and the nearest `limit` are usually much closer than the radius asked for, so
    # the search starts in a small circle (ARGV[7]) and widens by what it held: the radius where `count`
    # hits lie at the density just seen, times 1.25 (x1.3 to x4 a step). A circle with fewer than `count`
    # hits cannot fill the page and is not read. A full circle whose candidates do not all pass asks for
    # 4x as many in the same circle.
    # Returns one string per candidate, "id seen lng lat business" (its id and last-seen time before
    # `where` as stored), at most `limit` of them, nearest first: one reply object per candidate to parse.
    NEARBY = """
local count = tonumber(ARGV[4])
local limit = tonumber(ARGV[5])
local cutoff = tonumber(ARGV[6])
local full_radius = tonumber(ARGV[3])
local radius = math.min(tonumber(ARGV[7]), full_radius)
local allowed = nil
if ARGV[8] == '1' then
  allowed = {}
  for i = 9, #ARGV do allowed[ARGV[i]] = true end
end
-- Several values for many members in one call, in slices (Lua's unpack is bounded).
local function each_of(command, key, ids)
  local values = {}
  for first = 1, #ids, 1000 do
    local part = redis.call(command, key, unpack(ids, first, math.min(first + 999, #ids)))
    for _, value in ipairs(part) do values[#values + 1] = value end
  end
  return values
end
while true do
  local hits = redis.call('GEOSEARCH', KEYS[1], 'FROMLONLAT', ARGV[1], ARGV[2], 'BYRADIUS', radius, 'm',
    'ASC', 'COUNT', count)
  local wider = radius < full_radius
  if #hits >= count or (not wider and #hits > 0) then
    local out = {}
    local seen = each_of('ZMSCORE', KEYS[2], hits)
    local where = each_of('HMGET', KEYS[3], hits)
    for i, id in ipairs(hits) do
      if seen[i] and where[i] and tonumber(seen[i]) >= cutoff
          and (allowed == nil or allowed[string.match(where[i], '^%S+ %S+ ?(.*)$')]) then
        out[#out + 1] = id .. ' ' .. seen[i] .. ' ' .. where[i]
        -- Hits come nearest first: the first `limit` that pass are the answer.
        if #out >= limit then
          return out
        end
      end
    end
    if #hits < count then
      -- The whole circle asked for, and all of it seen.
      return out
    end
    -- A full circle: it may hold more that pass.
    count = count * 4
  elseif wider then
    local step = math.sqrt(count / math.max(#hits, 1)) * 1.25
    radius = math.min(full_radius, radius * math.min(4, math.max(1.3, step)))
  else
    return {}
  end
end
"""
    CONNECTIONS = """
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
if n <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 0
end
return n
"""
