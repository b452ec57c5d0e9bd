-- wrk load for bench/progressive-delivery.sh: POSTs one OIP v2 inference of two rows, x = 3 and x = 1, and checks each
-- response against the version it names (X-Turnout-Model-Version, and model_version in the body):
--   version 1 = linear-v1 (2x + 1): 7, 3     version 2 = linear-v2 (3x + 2): 11, 5
--   version 3 = faulty (3x + 2 below x = 2.5, NaN from there): any answer of version 3 to x = 3 is a failure
-- Tallies are kept per wall-clock second (os.time), so the harness can cut the run into rollout steps: answers by
-- version, and failures (non-2xx, wrong or non-finite value, unknown version, unparsable body). Each thread prints
-- "PD-SEC second v1 v2 v3 failures" for each second once its first answer of the next second arrives (the harness
-- adds the threads' lines up; a thread's last second is not printed), flushed at once: wrk 4.1 crashes copying a
-- thread's table of seconds in done() (thread:get), and a crash must not lose the tallies. done() prints
-- "PD-LOAD key=value" totals.

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"inputs":[{"name":"x","datatype":"FP32","shape":[2,1],"data":[3.0,1.0]}]}'

local EXPECTED = { ["1"] = { 7.0, 3.0 }, ["2"] = { 11.0, 5.0 }, ["3"] = { 11.0, 5.0 } }
local MAX_REPORTS = 5

local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
end

function init(args)
   current = nil
   tally = { 0, 0, 0, 0 }
   reports = 0
   failures = 0
end

local function header(headers, wanted)
   for name, value in pairs(headers) do
      if string.lower(name) == wanted then
         return value
      end
   end
   return nil
end

local function bucket()
   local now = os.time()
   if now ~= current then
      if current ~= nil then
         io.write(string.format("PD-SEC %d %d %d %d %d\n", current, tally[1], tally[2], tally[3], tally[4]))
         io.stdout:flush()
      end
      current = now
      tally = { 0, 0, 0, 0 }
   end
   return tally
end

local function fail(b, kind, status, version, body)
   b[4] = b[4] + 1
   failures = failures + 1
   if reports < MAX_REPORTS then
      reports = reports + 1
      io.write(string.format("PD-PROBLEM %s thread=%s kind=%s status=%d version=%s body=%s\n",
         os.date("!%H:%M:%S"), tostring(id), kind, status, tostring(version),
         string.sub(string.gsub(body or "", "%s+", " "), 1, 200)))
   end
end

function response(status, headers, body)
   local b = bucket()
   local version = header(headers, "x-turnout-model-version")
   if status < 200 or status > 299 then
      return fail(b, "non-2xx", status, version, body)
   end
   local expected = version and EXPECTED[version]
   local a, c = string.match(body or "", '"outputs"%s*:%s*%[.-"data"%s*:%s*%[%s*([^%],%s]+)%s*,%s*([^%],%s]+)')
   a, c = tonumber(a), tonumber(c)
   local named = body and string.match(body, '"model_version"%s*:%s*"([^"]*)"')
   if expected == nil or a == nil or c == nil or a ~= a or c ~= c or named ~= version
         or math.abs(a - expected[1]) > 1e-4 or math.abs(c - expected[2]) > 1e-4 then
      return fail(b, "mismatch", status, version, body)
   end
   local v = tonumber(version)
   b[v] = b[v] + 1
end

function done(summary, latency, requests)
   local lines = {
      { "requests", summary.requests },
      { "socket_errors", summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout },
      { "duration_s", string.format("%.1f", summary.duration / 1e6) },
      { "requests_per_s", string.format("%.0f", summary.requests / (summary.duration / 1e6)) },
      { "latency_p50_ms", string.format("%.2f", latency:percentile(50) / 1000) },
      { "latency_p99_ms", string.format("%.2f", latency:percentile(99) / 1000) },
   }
   for _, line in ipairs(lines) do
      io.write(string.format("PD-LOAD %s=%s\n", line[1], tostring(line[2])))
   end
end
