-- wrk script for bench/signing.py: POST the sign form with an email unique to the run, the wrk
-- thread and the request. Each thread uses the CSRF cookie and CSRF token that signing.py read
-- from the real sign form for it (BENCH_COOKIE_<n>, BENCH_BODY_<n>), and a form token of its own
-- for each request, from the file signing.py made for it (BENCH_TOKENS_<n>): a token signs once.
--
-- Threads stop sending after BENCH_POST_SECONDS (wrk runs a little longer), so every request
-- sent has its answer counted and the rows in the table can be compared with the answers.

local threads = {}
local next_thread = 0

function setup(thread)
  thread:set("id", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

function init(args)
  sign_path = os.getenv("BENCH_SIGN_PATH")
  run_id = os.getenv("BENCH_RUN_ID")
  body_prefix = os.getenv("BENCH_BODY_" .. id)
  form_tokens = {}
  for line in io.lines(os.getenv("BENCH_TOKENS_" .. id)) do
    table.insert(form_tokens, line)
  end
  headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=" .. os.getenv("BENCH_COOKIE_" .. id),
  }
  deadline = os.time() + tonumber(os.getenv("BENCH_POST_SECONDS"))
  sent = 0
  signed, refused, failed = 0, 0, 0
end

function request()
  sent = sent + 1
  local email = string.format("%s-t%d-%d%%40example.org", run_id, id, sent)
  local form_token = form_tokens[(sent - 1) % #form_tokens + 1]
  return wrk.format("POST", sign_path, headers, body_prefix .. "&form_token=" .. form_token .. "&email=" .. email)
end

function delay()
  -- After the deadline, wait past the end of the run: nothing more is sent.
  if os.time() >= deadline then
    return 600000
  end
  return 0
end

function response(status, headers, body)
  if status == 302 then
    signed = signed + 1
  elseif status < 500 then
    refused = refused + 1
  else
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local signed_total, refused_total, failed_total = 0, 0, 0
  for _, thread in ipairs(threads) do
    signed_total = signed_total + thread:get("signed")
    refused_total = refused_total + thread:get("refused")
    failed_total = failed_total + thread:get("failed")
  end
  io.write(string.format("BENCH signed=%d refused=%d failed=%d\n", signed_total, refused_total, failed_total))
end
