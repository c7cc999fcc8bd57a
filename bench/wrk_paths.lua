-- wrk script of bench/serve.py: cycles through the request paths of a file (one a line), sends the
-- headers given after the file name ("Name: value"), and prints one JSON line of figures when done.
-- usage: wrk ... -s bench/wrk_paths.lua URL -- PATHS_FILE "Authorization: Bearer ..." ...

local paths = {}
local next_index = 1

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      table.insert(paths, line)
    end
  end
  for i = 2, #args do
    local name, value = args[i]:match("^([^:]+):%s*(.*)$")
    wrk.headers[name] = value
  end
  -- each thread starts at another place in the list
  next_index = math.random(#paths)
end

function request()
  next_index = next_index % #paths + 1
  return wrk.format(nil, paths[next_index])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "socket_errors": %d, "non_2xx": %d, '
      .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %d, "max_us": %d, "bytes": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max,
    summary.bytes))
end
