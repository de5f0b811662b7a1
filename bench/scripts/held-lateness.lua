-- wrk script for section 8's held run: how late each answer came, told apart by when its
-- request was sent. wrk's own latency report mixes two things: the first rounds, when all
-- the connections open at once and the server must accept and read every one of them, and
-- the held requests after that. Each request carries its send time as its message
-- (GET /{delay}/{time}); the delayserver and stage d echo the message as the body, so the
-- answer says which request it answers. Run as:
--   wrk -t2 -c10000 -d6s -s held-lateness.lua http://127.0.0.1:PORT/500/x -- 500 [PACE]
-- With PACE (wrk's connections per thread), each connection's first request waits a share
-- of one delay, the k-th k/PACE of it, so the answers fall due evenly over every delay
-- instead of all at once: the same 10,000 connections held, without the storm.
-- Prints two lines that bench/src/sections/server.ts parses (see `done` below).
local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } held_timespec;
int clock_gettime(int clock, held_timespec *now);
]])
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("held_timespec")
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

-- Per thread (each wrk thread has a Lua state of its own): histograms of lateness in
-- 0.1 ms steps, one over every answer, one over the requests sent once the first two
-- rounds were over (two delays after the thread's first request: the second round is
-- asked as the first round's late answers come, so it inherits their bunching).
asked = 0
first_sent = nil
all = {}
all_max = 0
settled = {}
settled_max = 0

function init(args)
  asked = tonumber(args[1]) or 0
  local pace = tonumber(args[2]) or 0
  -- Defined only when pacing: wrk asks a script that has `delay` before every request.
  if pace > 0 then
    local first_requests = 0
    delay = function()
      if first_requests >= pace then
        return 0
      end
      first_requests = first_requests + 1
      return math.floor(asked * first_requests / pace)
    end
  end
end

function request()
  local sent = now_ms()
  if first_sent == nil then
    first_sent = sent
  end
  return wrk.format("GET", string.format("/%d/%.3f", asked, sent))
end

function response(status, headers, body)
  local sent = tonumber(body)
  if status ~= 200 or sent == nil then
    return
  end
  local late = now_ms() - sent - asked
  local step = math.floor(late * 10)
  all[step] = (all[step] or 0) + 1
  if late > all_max then
    all_max = late
  end
  if sent >= first_sent + 2 * asked then
    settled[step] = (settled[step] or 0) + 1
    if late > settled_max then
      settled_max = late
    end
  end
end

local function merge(name)
  local sum = {}
  for _, thread in ipairs(threads) do
    for step, count in pairs(thread:get(name)) do
      sum[step] = (sum[step] or 0) + count
    end
  end
  return sum
end

-- The percentile `p` (0..1) of a histogram, in ms, and how many answers it holds.
local function percentile(histogram, p)
  local steps, total = {}, 0
  for step, count in pairs(histogram) do
    table.insert(steps, step)
    total = total + count
  end
  table.sort(steps)
  local seen = 0
  for _, step in ipairs(steps) do
    seen = seen + histogram[step]
    if seen >= total * p then
      return step / 10, total
    end
  end
  return 0, total
end

function done(summary, latency, requests)
  for _, name in ipairs({ "all", "settled" }) do
    local histogram = merge(name)
    local max = 0
    for _, thread in ipairs(threads) do
      max = math.max(max, thread:get(name .. "_max"))
    end
    local p50, answers = percentile(histogram, 0.5)
    local p99 = percentile(histogram, 0.99)
    io.write(
      string.format("held lateness %s: %d answers, p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", name, answers, p50, p99, max)
    )
  end
end
