-- wrk script of the API benchmark (bench/run.py sets the environment):
--   BENCH_TOKEN   sent as `Authorization: Bearer <token>` (unset for the floor)
--   BENCH_PATHS   a file of request paths, one a line, taken in turn by each thread
--                 (get by id over many ids); unset: the URL on wrk's command line
--   BENCH_METHOD  the request method; unset: GET
--   BENCH_BODY    a JSON body sent with every request (as application/json); unset: none
--   BENCH_SIGNED  a file of signed webhook deliveries, one a line: the Stripe-Signature
--                 value, a tab, the JSON body; thread i of BENCH_THREADS sends the lines
--                 i, i + n, ... once each in turn (so no two threads send the same event)
-- done() prints one line `BENCH_JSON {...}` with the counts and latency percentiles (us).

local token = os.getenv("BENCH_TOKEN")
if token ~= nil and token ~= "" then
   wrk.headers["Authorization"] = "Bearer " .. token
end

-- wrk.format and the static request both default to wrk.method and wrk.body.
local method = os.getenv("BENCH_METHOD")
if method ~= nil and method ~= "" then
   wrk.method = method
end

local body = os.getenv("BENCH_BODY")
if body ~= nil and body ~= "" then
   wrk.body = body
   wrk.headers["Content-Type"] = "application/json"
end

local paths_file = os.getenv("BENCH_PATHS")
local signed_file = os.getenv("BENCH_SIGNED")
local requests = {}
local next_index = 1

local thread_count = 0
function setup(thread)
   thread:set("thread_index", thread_count)
   thread_count = thread_count + 1
end

local function load_signed()
   local threads = tonumber(os.getenv("BENCH_THREADS") or "1")
   local n = 0
   for line in io.lines(signed_file) do
      if n % threads == thread_index then
         local tab = line:find("\t", 1, true)
         requests[#requests + 1] = wrk.format("POST", nil, {
            ["Content-Type"] = "application/json",
            ["Stripe-Signature"] = line:sub(1, tab - 1),
         }, line:sub(tab + 1))
      end
      n = n + 1
   end
end

-- (wrk.init calls this, then builds the static request from wrk.headers.)
function init(args)
   if signed_file ~= nil and signed_file ~= "" then
      load_signed()
   elseif paths_file ~= nil and paths_file ~= "" then
      for line in io.lines(paths_file) do
         requests[#requests + 1] = wrk.format(nil, line)
      end
      -- Threads start at different places in the list.
      next_index = math.random(#requests)
   end
end

if (paths_file ~= nil and paths_file ~= "") or (signed_file ~= nil and signed_file ~= "") then
   function request()
      local req = requests[next_index]
      next_index = next_index % #requests + 1
      return req
   end
end

function done(summary, latency, _)
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
      '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
      '"latency_us":{"min":%d,"mean":%.1f,"max":%d,"stdev":%.1f,' ..
      '"p50":%d,"p75":%d,"p90":%d,"p99":%d,"p999":%d}}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency.min, latency.mean, latency.max, latency.stdev,
      latency:percentile(50), latency:percentile(75), latency:percentile(90),
      latency:percentile(99), latency:percentile(99.9)))
end
