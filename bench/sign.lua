-- wrk script for bench/signing.py: sign as visitors do, each with a sign form of their own. Every
-- signature is two requests on the thread's one connection: GET the page with the sign form
-- (BENCH_FORM_PATH; a fresh CSRF cookie, CSRF token and timing token), then POST it once to
-- BENCH_SIGN_PATH with an email unique to the run, the thread and the signature. A timing token
-- is never used twice, so the load holds when the sign view accepts each token once only.
--
-- signing.py runs one thread per connection, so each thread has one request in flight and can time
-- its POSTs itself (wrk's own figures mix in the GETs); the POSTs' latencies in milliseconds are
-- appended to BENCH_LATENCY_FILE. Threads stop after BENCH_POST_SECONDS (wrk runs a little longer),
-- so every POST sent has its answer counted and the table's rows can be compared with the answers.

local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *now);
]]
local CLOCK_MONOTONIC = 1
local clock = ffi.new("bench_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local threads = {}
local next_thread = 0

function setup(thread)
  thread:set("id", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

function init(args)
  form_path = os.getenv("BENCH_FORM_PATH")
  sign_path = os.getenv("BENCH_SIGN_PATH")
  run_id = os.getenv("BENCH_RUN_ID")
  deadline = os.time() + tonumber(os.getenv("BENCH_POST_SECONDS"))
  latencies = io.open(os.getenv("BENCH_LATENCY_FILE"), "a")
  form = nil
  posting = false
  sent = 0
  signed, refused, failed, no_form = 0, 0, 0, 0
end

local function field(body, name)
  return body:match('name="' .. name .. '" value="([^"]+)"')
end

local function urlencode(text)
  return (text:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function request()
  started = now_ms()
  if form == nil then
    posting = false
    return wrk.format("GET", form_path)
  end
  posting = true
  sent = sent + 1
  local email = string.format("%s-t%d-%d@example.org", run_id, id, sent)
  local body = "csrfmiddlewaretoken=" .. urlencode(form.csrf) .. "&form_token=" .. urlencode(form.token)
    .. "&first_name=Load&last_name=Test&postcode=SW1A%201AA&contact_consent=on&email=" .. urlencode(email)
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=" .. form.cookie,
  }
  form = nil
  return wrk.format("POST", sign_path, headers, body)
end

function delay()
  -- After the deadline, wait past the end of the run: nothing more is sent (a form fetched last is
  -- not posted, and leaves no row).
  if os.time() >= deadline then
    return 600000
  end
  return 0
end

function response(status, headers, body)
  if not posting then
    -- Header names as the server wrote them: granian (hyper) writes them in lower case.
    local cookie = (headers["Set-Cookie"] or headers["set-cookie"] or ""):match("csrftoken=([^;]+)")
    local csrf, token = field(body, "csrfmiddlewaretoken"), field(body, "form_token")
    if status == 200 and cookie and csrf and token then
      form = { cookie = cookie, csrf = csrf, token = token }
    else
      no_form = no_form + 1
    end
    return
  end
  latencies:write(string.format("%.3f\n", now_ms() - started))
  latencies:flush()
  if status == 302 then
    signed = signed + 1
  elseif status < 500 then
    refused = refused + 1
  else
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local totals = { signed = 0, refused = 0, failed = 0, no_form = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + thread:get(name)
    end
  end
  io.write(string.format(
    "BENCH signed=%d refused=%d failed=%d no_form=%d\n",
    totals.signed, totals.refused, totals.failed, totals.no_form
  ))
end
