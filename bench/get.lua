-- wrk script for every benchmark run: prints one machine-readable summary line.
--
-- wrk's own text report rounds and changes units; bench/wrk.py reads the line that
-- starts with BENCH_JSON instead. Statuses are counted only when a script defines
-- response() (post.lua does): asking wrk for every response costs it time on GETs.

local threads = {}

function setup(thread)
   thread:set("id", #threads + 1)
   table.insert(threads, thread)
end

local function encode(value)
   if type(value) == "table" then
      local parts = {}
      for key, item in pairs(value) do
         table.insert(parts, string.format("%q:%s", tostring(key), encode(item)))
      end
      return "{" .. table.concat(parts, ",") .. "}"
   end
   if type(value) == "number" and (value ~= value or value == math.huge or value == -math.huge) then
      return "null"  -- no requests completed: JSON has no NaN
   end
   return tostring(value)
end

function done(summary, latency, requests)
   local statuses = {}
   for _, thread in ipairs(threads) do
      local counts = thread:get("statuses")
      if counts then
         for status, count in pairs(counts) do
            statuses[status] = (statuses[status] or 0) + count
         end
      end
   end
   local report = {
      requests = summary.requests,
      duration_us = summary.duration,
      bytes = summary.bytes,
      errors = summary.errors,
      latency_us = {
         min = latency.min,
         mean = latency.mean,
         max = latency.max,
         p50 = latency:percentile(50),
         p90 = latency:percentile(90),
         p99 = latency:percentile(99),
      },
      statuses = statuses,
   }
   io.write("BENCH_JSON " .. encode(report) .. "\n")
end
