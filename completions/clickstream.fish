# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_clickstream_global_optspecs
    string join \n color= h/help V/version
end

function __fish_clickstream_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_clickstream_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_clickstream_using_subcommand
    set -l cmd (__fish_clickstream_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c clickstream -n "__fish_clickstream_needs_command" -l color -d 'When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Only on a terminal, and not when `NO_COLOR` is set'
always\t''
never\t''"
complete -c clickstream -n "__fish_clickstream_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c clickstream -n "__fish_clickstream_needs_command" -s V -l version -d 'Print version'
complete -c clickstream -n "__fish_clickstream_needs_command" -f -a "validate" -d 'Check event files against the contract, with a diagnostic per problem'
complete -c clickstream -n "__fish_clickstream_needs_command" -f -a "hash-phones" -d 'Normalise phone numbers and write their SHA-256, one per input line'
complete -c clickstream -n "__fish_clickstream_needs_command" -f -a "convert" -d 'Convert event files between JSONL and CSV without losing a digit, key or line break'
complete -c clickstream -n "__fish_clickstream_needs_command" -f -a "replay" -d 'Send event files to an HTTP endpoint, one request per record, losing nothing'
complete -c clickstream -n "__fish_clickstream_needs_command" -f -a "schema" -d 'Print the JSON Schema (draft 2020-12) of an event, for other engines'
complete -c clickstream -n "__fish_clickstream_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c clickstream -n "__fish_clickstream_needs_command" -f -a "man" -d 'Print the manual page (roff) of clickstream or one of its subcommands'
complete -c clickstream -n "__fish_clickstream_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c clickstream -n "__fish_clickstream_using_subcommand validate" -l from -d 'Input format; detected from the extension and content when not given' -r -f -a "jsonl\t'One JSON object per line'
json\t'JSON documents: pretty-printed objects, concatenated objects, or an array'
csv\t'A header row of field names, then one event per row'"
complete -c clickstream -n "__fish_clickstream_using_subcommand validate" -l max-record-bytes -d 'Longest record kept in memory (e.g. 65536, 512K, 4M); longer ones are skipped' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand validate" -l delimiter -d 'CSV delimiter: one character, or "tab"; guessed from the header when not given' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand validate" -l kind -d 'Which events are expected: click events must have click_timestamp' -r -f -a "detailed\t'Impressions and clicks; `click_timestamp` optional'
click\t'Click events; `click_timestamp` required'"
complete -c clickstream -n "__fish_clickstream_using_subcommand validate" -l reference-id -d 'Accepted reference_id forms' -r -f -a "phone\t'12-digit phone numbers only'
sha256\t'SHA-256 hex digests only'
hashed-or-phone\t'Digests or 12-digit phone numbers'
any\t'Any non-empty string'"
complete -c clickstream -n "__fish_clickstream_using_subcommand validate" -l format -d 'Output format of diagnostics and summary' -r -f -a "human\t'One readable line per diagnostic; the summary on stderr'
json\t'One JSON object per line, the summary last, all on stdout'"
complete -c clickstream -n "__fish_clickstream_using_subcommand validate" -l valid-out -d 'Write every valid record here, byte for byte as read' -r -F
complete -c clickstream -n "__fish_clickstream_using_subcommand validate" -l invalid-out -d 'Write every invalid record here, byte for byte as read (a quarantine file)' -r -F
complete -c clickstream -n "__fish_clickstream_using_subcommand validate" -l max-errors -d 'Stop after N error diagnostics (N at least 1)' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand validate" -l threads -d 'Worker threads for JSONL input (default or 0: all cores, at most 16; 1: one thread)' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand validate" -l color -d 'When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Only on a terminal, and not when `NO_COLOR` is set'
always\t''
never\t''"
complete -c clickstream -n "__fish_clickstream_using_subcommand validate" -l strict -d 'Unknown fields and timestamps given as JSON numbers are errors, not warnings'
complete -c clickstream -n "__fish_clickstream_using_subcommand validate" -l show-pii -d 'Show reference_id values in messages instead of masking them (personal data)'
complete -c clickstream -n "__fish_clickstream_using_subcommand validate" -s q -l quiet -d 'Print no diagnostics and no summary; only the exit status tells'
complete -c clickstream -n "__fish_clickstream_using_subcommand validate" -l deny-warnings -d 'Treat warnings as errors for the exit status and the valid/invalid split'
complete -c clickstream -n "__fish_clickstream_using_subcommand validate" -l no-duplicate-check -d 'Skip the duplicate event_id check (it costs about 16 bytes per distinct id)'
complete -c clickstream -n "__fish_clickstream_using_subcommand validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c clickstream -n "__fish_clickstream_using_subcommand hash-phones" -l column -d 'Read CSV and hash this column (its cells are replaced by their hash)' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand hash-phones" -l delimiter -d 'With --column: the CSV delimiter, one character (`;`, `tab` or `\\t`); guessed from the header when not given' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand hash-phones" -l field -d 'Read JSONL events and hash this field where it holds a 12-digit number; 64-hex values pass through, other values are left and counted, but a phone number or digest in another spelling is an error (record left out)' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand hash-phones" -l default-country -d 'Country code for numbers written without one (`91`): a trunk `0` is dropped and the code put in front' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand hash-phones" -l target -d 'Which form of the number is hashed: `contract` (12 digits), `digits` (8 to 15 digits) or `e164` (`+` and digits)' -r -f -a "contract\t'Country code and national number, exactly 12 digits (this contract)'
digits\t'Country code and national number, 8 to 15 digits'
e164\t'`+`, country code and national number (E.164)'"
complete -c clickstream -n "__fish_clickstream_using_subcommand hash-phones" -l encoding -d 'How each hash is written' -r -f -a "hex\t'64 lowercase hexadecimal characters'
base64\t'44 characters of standard base64 with padding'"
complete -c clickstream -n "__fish_clickstream_using_subcommand hash-phones" -s o -l output -d 'Write the output to FILE (replaced only when the run completes)' -r -F
complete -c clickstream -n "__fish_clickstream_using_subcommand hash-phones" -l threads -d 'Worker threads for plain lists (default or 0: all cores, at most 16; 1: one thread)' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand hash-phones" -l max-record-bytes -d 'Longest line or record read (e.g. 65536, 512K, 4M); a longer one is reported and skipped' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand hash-phones" -l color -d 'When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Only on a terminal, and not when `NO_COLOR` is set'
always\t''
never\t''"
complete -c clickstream -n "__fish_clickstream_using_subcommand hash-phones" -l keep-column -d 'With --column: keep the column and add `NAME_sha256` as the last column'
complete -c clickstream -n "__fish_clickstream_using_subcommand hash-phones" -l strict -d 'Treat a country-91 number that is not a mobile number as an error'
complete -c clickstream -n "__fish_clickstream_using_subcommand hash-phones" -l keep-alignment -d 'Write an empty line (or, for CSV, an empty hash cell) for each blank, bad or dropped line, so output line N belongs to input line N'
complete -c clickstream -n "__fish_clickstream_using_subcommand hash-phones" -l unique -d 'Drop repeated hashes. Memory: about 20 to 40 bytes per distinct number'
complete -c clickstream -n "__fish_clickstream_using_subcommand hash-phones" -s q -l quiet -d 'Print no summary and no warnings (errors are still printed)'
complete -c clickstream -n "__fish_clickstream_using_subcommand hash-phones" -l show-pii -d 'Show phone numbers unmasked in messages'
complete -c clickstream -n "__fish_clickstream_using_subcommand hash-phones" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c clickstream -n "__fish_clickstream_using_subcommand convert" -s o -l output -d 'Write here instead of stdout (via a temporary file, renamed when done); a name ending in .gz is gzip-compressed' -r -F
complete -c clickstream -n "__fish_clickstream_using_subcommand convert" -l to -d 'Output format; taken from the -o extension when not given (.csv; .jsonl, .ndjson or .json for JSONL)' -r -f -a "csv\t'A header row, then one event per row'
jsonl\t'One compact JSON object per line'"
complete -c clickstream -n "__fish_clickstream_using_subcommand convert" -l from -d 'Input format; detected from the extension and content when not given' -r -f -a "jsonl\t'One JSON object per line'
json\t'JSON documents: pretty-printed objects, concatenated objects, or an array'
csv\t'A header row of field names, then one event per row'"
complete -c clickstream -n "__fish_clickstream_using_subcommand convert" -l max-record-bytes -d 'Longest record kept in memory (e.g. 65536, 512K, 4M); longer ones are skipped' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand convert" -l delimiter -d 'CSV delimiter: one character, or "tab"; guessed from the header when not given' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand convert" -l kind -d 'Which events are expected: click events must have click_timestamp' -r -f -a "detailed\t'Impressions and clicks; `click_timestamp` optional'
click\t'Click events; `click_timestamp` required'"
complete -c clickstream -n "__fish_clickstream_using_subcommand convert" -l reference-id -d 'Accepted reference_id forms' -r -f -a "phone\t'12-digit phone numbers only'
sha256\t'SHA-256 hex digests only'
hashed-or-phone\t'Digests or 12-digit phone numbers'
any\t'Any non-empty string'"
complete -c clickstream -n "__fish_clickstream_using_subcommand convert" -l columns -d 'Keep these fields outside the contract, as extra columns (or keys) after the contract\'s fields' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand convert" -l invalid-out -d 'Write every rejected record here, byte for byte as read' -r -F
complete -c clickstream -n "__fish_clickstream_using_subcommand convert" -l threads -d 'Worker threads for JSONL input (default or 0: all cores, at most 16; 1: one thread)' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand convert" -l color -d 'When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Only on a terminal, and not when `NO_COLOR` is set'
always\t''
never\t''"
complete -c clickstream -n "__fish_clickstream_using_subcommand convert" -l strict -d 'Unknown fields and timestamps given as JSON numbers are errors, not warnings'
complete -c clickstream -n "__fish_clickstream_using_subcommand convert" -l show-pii -d 'Show reference_id values in messages instead of masking them (personal data)'
complete -c clickstream -n "__fish_clickstream_using_subcommand convert" -l crlf -d 'End CSV rows with CRLF instead of LF'
complete -c clickstream -n "__fish_clickstream_using_subcommand convert" -l bom -d 'Start CSV output with a UTF-8 byte order mark (for spreadsheets)'
complete -c clickstream -n "__fish_clickstream_using_subcommand convert" -l excel-safe -d 'Guard against formula injection: prefix CSV cells that start with = + - @ with \' (this changes those cells, so they no longer convert back as they were)'
complete -c clickstream -n "__fish_clickstream_using_subcommand convert" -l drop-unknown -d 'Drop fields outside the contract instead of rejecting their records, and count them in the summary (also under --strict)'
complete -c clickstream -n "__fish_clickstream_using_subcommand convert" -l no-validate -d 'Skip the contract\'s field rules: convert every record that can be converted (syntax, duplicate keys, cell counts and unknown fields still count)'
complete -c clickstream -n "__fish_clickstream_using_subcommand convert" -s q -l quiet -d 'Print no diagnostics and no summary'
complete -c clickstream -n "__fish_clickstream_using_subcommand convert" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -l url -d 'Where to send the records (http or https)' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -s X -l method -d 'HTTP method' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -s H -l header -d 'Extra header, repeatable: `${VAR}` is read from the environment, `{field}` from each record (e.g. -H \'Authorization: Bearer ${TOKEN}\')' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -l hmac-secret-env -d 'Sign each body: adds `X-Signature-256: sha256=<hex HMAC-SHA256>` with the secret held in this environment variable' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -l hmac-header -d 'Name of the signature header' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -l rate -d 'Requests per second for the whole run, retries included (default: no limit)' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -l concurrency -d 'Requests in flight at once' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -l timeout -d 'Time allowed for one request, e.g. 10s, 500ms, 1m' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -l retries -d 'Retries per record after connection errors, timeouts, 408, 425, 429 and 5xx (but 501 and 505)' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -l max-retry-wait -d 'Longest `Retry-After` honoured; a server asking for more fails the record' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -l failed-out -d 'Write every record not delivered (failed or invalid) here, as read' -r -F
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -l report -d 'Write one JSON outcome per record here' -r -F
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -l checkpoint -d 'Save progress here; a rerun skips records already delivered or written to --failed-out' -r -F
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -l from -d 'Input format; detected from the extension and content when not given' -r -f -a "jsonl\t'One JSON object per line'
json\t'JSON documents: pretty-printed objects, concatenated objects, or an array'
csv\t'A header row of field names, then one event per row'"
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -l max-record-bytes -d 'Longest record kept in memory (e.g. 65536, 512K, 4M); longer ones are skipped' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -l delimiter -d 'CSV delimiter: one character, or "tab"; guessed from the header when not given' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -l kind -d 'Which events are expected: click events must have click_timestamp' -r -f -a "detailed\t'Impressions and clicks; `click_timestamp` optional'
click\t'Click events; `click_timestamp` required'"
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -l reference-id -d 'Accepted reference_id forms' -r -f -a "phone\t'12-digit phone numbers only'
sha256\t'SHA-256 hex digests only'
hashed-or-phone\t'Digests or 12-digit phone numbers'
any\t'Any non-empty string'"
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -l format -d 'Summary format: text on stderr, or one JSON object on stdout' -r -f -a "text\t''
json\t''"
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -l backoff-base -d 'The first backoff wait (tests set it to 0s; Retry-After still holds)' -r
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -l color -d 'When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Only on a terminal, and not when `NO_COLOR` is set'
always\t''
never\t''"
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -l no-idempotency-key -d 'Do not add `Idempotency-Key: {event_id}` when no -H sets that header'
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -l dry-run -d 'Print the requests instead of sending them (secrets redacted)'
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -l no-validate -d 'Send records that break the event contract too'
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -l strict -d 'Unknown fields and timestamps given as JSON numbers are errors, not warnings'
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -l show-pii -d 'Show reference_id values in messages instead of masking them (personal data)'
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -s q -l quiet -d 'No per-record messages, no progress bar, no text summary'
complete -c clickstream -n "__fish_clickstream_using_subcommand replay" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c clickstream -n "__fish_clickstream_using_subcommand schema" -l kind -d 'Which events are described: click events must have click_timestamp' -r -f -a "detailed\t'Impressions and clicks; `click_timestamp` optional'
click\t'Click events; `click_timestamp` required'"
complete -c clickstream -n "__fish_clickstream_using_subcommand schema" -l reference-id -d 'Accepted reference_id forms, as with validate --reference-id' -r -f -a "phone\t'12-digit phone numbers only'
sha256\t'SHA-256 hex digests only'
hashed-or-phone\t'Digests or 12-digit phone numbers'
any\t'Any non-empty string'"
complete -c clickstream -n "__fish_clickstream_using_subcommand schema" -l color -d 'When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Only on a terminal, and not when `NO_COLOR` is set'
always\t''
never\t''"
complete -c clickstream -n "__fish_clickstream_using_subcommand schema" -l strict -d 'Unknown fields and timestamps given as JSON numbers are refused, as with validate --strict'
complete -c clickstream -n "__fish_clickstream_using_subcommand schema" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c clickstream -n "__fish_clickstream_using_subcommand completions" -l color -d 'When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Only on a terminal, and not when `NO_COLOR` is set'
always\t''
never\t''"
complete -c clickstream -n "__fish_clickstream_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c clickstream -n "__fish_clickstream_using_subcommand man" -l color -d 'When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t'Only on a terminal, and not when `NO_COLOR` is set'
always\t''
never\t''"
complete -c clickstream -n "__fish_clickstream_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c clickstream -n "__fish_clickstream_using_subcommand help; and not __fish_seen_subcommand_from validate hash-phones convert replay schema completions man help" -f -a "validate" -d 'Check event files against the contract, with a diagnostic per problem'
complete -c clickstream -n "__fish_clickstream_using_subcommand help; and not __fish_seen_subcommand_from validate hash-phones convert replay schema completions man help" -f -a "hash-phones" -d 'Normalise phone numbers and write their SHA-256, one per input line'
complete -c clickstream -n "__fish_clickstream_using_subcommand help; and not __fish_seen_subcommand_from validate hash-phones convert replay schema completions man help" -f -a "convert" -d 'Convert event files between JSONL and CSV without losing a digit, key or line break'
complete -c clickstream -n "__fish_clickstream_using_subcommand help; and not __fish_seen_subcommand_from validate hash-phones convert replay schema completions man help" -f -a "replay" -d 'Send event files to an HTTP endpoint, one request per record, losing nothing'
complete -c clickstream -n "__fish_clickstream_using_subcommand help; and not __fish_seen_subcommand_from validate hash-phones convert replay schema completions man help" -f -a "schema" -d 'Print the JSON Schema (draft 2020-12) of an event, for other engines'
complete -c clickstream -n "__fish_clickstream_using_subcommand help; and not __fish_seen_subcommand_from validate hash-phones convert replay schema completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c clickstream -n "__fish_clickstream_using_subcommand help; and not __fish_seen_subcommand_from validate hash-phones convert replay schema completions man help" -f -a "man" -d 'Print the manual page (roff) of clickstream or one of its subcommands'
complete -c clickstream -n "__fish_clickstream_using_subcommand help; and not __fish_seen_subcommand_from validate hash-phones convert replay schema completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
