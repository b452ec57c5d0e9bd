-- wrk load for bench/rollout-harness.sh: POSTs one OIP v2 inference (x = 3) and checks every response.
--
--   * non-2xx responses are counted (wrk counts them too, but only >= 400 as errors);
--   * the answer must match the version the response names in X-Turnout-Model-Version:
--     version 1 (y = 2x + 1) answers 7.0, version 2 (y = 3x + 2) answers 11.0; the body's model_version must name
--     the same version. Anything else (no header, unknown version, other value, unparsable body) is a mismatch.
--   * the first few problems of each thread are printed with the wall-clock second, for the replica logs.
--
-- done() prints one "ROLLOUT-LOAD key=value" line per total, which the harness parses.

wrk.method = "POST"
wrk.path = "/v2/models/linear/infer"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"inputs":[{"name":"x","datatype":"FP32","shape":[1,1],"data":[3.0]}]}'

local EXPECTED = { ["1"] = 7.0, ["2"] = 11.0 }
local MAX_REPORTS = 10 -- problems printed per thread

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
   table.insert(threads, thread)
end

function init(args)
   responses = 0
   ok2xx = 0
   non2xx = 0
   mismatches = 0
   v1 = 0
   v2 = 0
   reports = 0
end

local function header(headers, wanted)
   -- HAProxy forwards HTTP/1 header names in lower case; compare without case.
   for name, value in pairs(headers) do
      if string.lower(name) == wanted then
         return value
      end
   end
   return nil
end

local function report(kind, status, version, body)
   if reports < MAX_REPORTS then
      reports = reports + 1
      local excerpt = string.sub(string.gsub(body or "", "%s+", " "), 1, 300)
      io.write(string.format("ROLLOUT-PROBLEM %s thread=%s kind=%s status=%d version=%s body=%s\n",
         os.date("!%Y-%m-%dT%H:%M:%SZ"), tostring(id), kind, status, tostring(version), excerpt))
   end
end

function response(status, headers, body)
   responses = responses + 1
   local version = header(headers, "x-turnout-model-version")
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      report("non-2xx", status, version, body)
      return
   end
   ok2xx = ok2xx + 1
   local expected = version and EXPECTED[version]
   local data = body and string.match(body, '"outputs"%s*:%s*%[.-"data"%s*:%s*%[%s*([^%],%s]+)')
   local value = data and tonumber(data)
   local named = body and string.match(body, '"model_version"%s*:%s*"([^"]*)"')
   if expected == nil or value == nil or math.abs(value - expected) > 1e-4 or named ~= version then
      mismatches = mismatches + 1
      report("mismatch", status, version, body)
      return
   end
   if version == "1" then
      v1 = v1 + 1
   else
      v2 = v2 + 1
   end
end

function done(summary, latency, requests)
   local totals = { responses = 0, ok2xx = 0, non2xx = 0, mismatches = 0, v1 = 0, v2 = 0 }
   for _, thread in ipairs(threads) do
      for key, _ in pairs(totals) do
         totals[key] = totals[key] + (thread:get(key) or 0)
      end
   end
   local lines = {
      { "requests", summary.requests },
      { "responses_checked", totals.responses },
      { "ok_2xx", totals.ok2xx },
      { "non_2xx", totals.non2xx },
      { "mismatches", totals.mismatches },
      { "answered_by_v1", totals.v1 },
      { "answered_by_v2", totals.v2 },
      { "socket_errors_connect", summary.errors.connect },
      { "socket_errors_read", summary.errors.read },
      { "socket_errors_write", summary.errors.write },
      { "socket_errors_timeout", summary.errors.timeout },
      { "wrk_status_errors", summary.errors.status },
      { "duration_s", string.format("%.1f", summary.duration / 1e6) },
      { "requests_per_s", string.format("%.0f", summary.requests / (summary.duration / 1e6)) },
      { "latency_p50_ms", string.format("%.2f", latency:percentile(50) / 1000) },
      { "latency_p99_ms", string.format("%.2f", latency:percentile(99) / 1000) },
      { "latency_max_ms", string.format("%.2f", latency.max / 1000) },
   }
   for _, line in ipairs(lines) do
      io.write(string.format("ROLLOUT-LOAD %s=%s\n", line[1], tostring(line[2])))
   end
end
