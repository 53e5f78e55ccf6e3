# The enrichment hidlog does, written in jq for the benchmark: find the status and codes in the
# same record shapes (top level, then bodies nested as objects or JSON text, 3 levels deep), add
# the catalog's entry for each, and the outcome; lines that are not JSON objects pass through.
# Run as: jq -rR --slurpfile catalog catalog-map.json -f enrich.jq
def num: if type == "number" then . elif type == "string" and test("^\\s*-?[0-9]+\\s*$") then tonumber else null end;
def code: if type == "object" then (.reason | num) else num end;
def asstatus: num | if . != null and . >= 100 and . <= 599 then . else null end;
def get(f): try f catch null;
def asbody: (if type == "string" then (try fromjson catch null) else . end) | if type == "object" then . else null end;
def firstof(f): first(f | select(. != null)) // null;
def scim: (.schemas | type) == "array" and (.schemas | index("urn:ietf:params:scim:api:messages:2.0:Error")) != null;
def found($depth):
  . as $r
  | {
      http: firstof(($r.status, $r.statusCode, $r.status_code, get($r.http.response.status_code), $r["http.response.status_code"], get($r.response.status), get($r.response.statusCode), get($r.res.statusCode)) | asstatus),
      error: firstof(($r.hid_error | code), (if ($r | scim) then ($r.errorCode | code) else null end)),
      failure: ($r.hid_failure | code),
      response: firstof(($r.hid_response, $r.responseCode) | code)
    } as $here
  | if $depth >= 3 then $here
    else reduce ((get($r.response), get($r.body), get($r.responseBody), get($r.response_body), get($r.res.body), get($r.http.response.body.content), get($r.log)) | asbody | select(. != null) | found($depth + 1)) as $inner
      ($here; with_entries(.value = (.value // $inner[.key])))
    end;
def part($kind; $code): $catalog[0][$kind][$code | tostring] // (if $kind == "http" then {code: $code, known: false} else {code: $code, known: false, category: "unknown"} end);
def outcome: if .failure != null or .response == 2 then "failure"
  elif .error != null or (.http // 0) >= 400 then "error"
  elif .response == 1 or (.http // 0) >= 200 then "success"
  else "unknown" end;
(try fromjson catch null) as $record
| if ($record | type) == "object" then
    ($record | found(0)) as $f
    | if ([$f[] | select(. != null)] | length) == 0 then $record | tojson
      else $record + {hid: (
          (if $f.http != null then {status: part("http"; $f.http)} else {} end)
          + (if $f.error != null then {error: part("error"; $f.error)} else {} end)
          + (if $f.failure != null then {failure: part("failure"; $f.failure)} else {} end)
          + (if $f.response != null then {response: part("response"; $f.response)} else {} end)
          + {outcome: ($f | outcome)})} | tojson
      end
  else . end
