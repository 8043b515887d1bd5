-- wrk script of the benchmark: prints one machine-readable line at the end and, given a file
-- of session keys (one a line), sends each request with a session not used before (a new
-- session's first view); each thread stops once its share of the sessions is used up.
--
--   wrk -t2 -c4 -d5s -s bench/wrk.lua URL [-- SESSIONS_FILE THREADS]

local counter = 1
local cookies = nil
local next_index = 1
local answered = 0

function setup(thread)
  thread:set("thread_number", counter)
  counter = counter + 1
end

function init(args)
  if args[1] == nil then
    return
  end
  local threads = tonumber(args[2])
  cookies = {}
  local index = 0
  for line in io.lines(args[1]) do
    if (index % threads) == (thread_number - 1) then
      cookies[#cookies + 1] = line
    end
    index = index + 1
  end
end

function request()
  if cookies == nil then
    return wrk.request()
  end
  local cookie = cookies[math.min(next_index, #cookies)]
  next_index = next_index + 1
  return wrk.format(nil, nil, { ["Cookie"] = "sessionid=" .. cookie })
end

function response(status, headers, body)
  if cookies ~= nil then
    answered = answered + 1
    if answered >= #cookies then
      wrk.thread:stop()
    end
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.status, errors.connect + errors.read + errors.write + errors.timeout
  ))
end
