
use builtin;
use str;

set edit:completion:arg-completer[clickstream] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'clickstream'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'clickstream'= {
            cand --color 'When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand validate 'Check event files against the contract, with a diagnostic per problem'
            cand hash-phones 'Normalise phone numbers and write their SHA-256, one per input line'
            cand convert 'Convert event files between JSONL and CSV without losing a digit, key or line break'
            cand replay 'Send event files to an HTTP endpoint, one request per record, losing nothing'
            cand schema 'Print the JSON Schema (draft 2020-12) of an event, for other engines'
            cand completions 'Print a shell completion script'
            cand man 'Print the manual page (roff) of clickstream or one of its subcommands'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'clickstream;validate'= {
            cand --from 'Input format; detected from the extension and content when not given'
            cand --max-record-bytes 'Longest record kept in memory (e.g. 65536, 512K, 4M); longer ones are skipped'
            cand --delimiter 'CSV delimiter: one character, or "tab"; guessed from the header when not given'
            cand --kind 'Which events are expected: click events must have click_timestamp'
            cand --reference-id 'Accepted reference_id forms'
            cand --format 'Output format of diagnostics and summary'
            cand --valid-out 'Write every valid record here, byte for byte as read'
            cand --invalid-out 'Write every invalid record here, byte for byte as read (a quarantine file)'
            cand --max-errors 'Stop after N error diagnostics (N at least 1)'
            cand --threads 'Worker threads for JSONL input (default or 0: all cores, at most 16; 1: one thread)'
            cand --color 'When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --strict 'Unknown fields and timestamps given as JSON numbers are errors, not warnings'
            cand --show-pii 'Show reference_id values in messages instead of masking them (personal data)'
            cand -q 'Print no diagnostics and no summary; only the exit status tells'
            cand --quiet 'Print no diagnostics and no summary; only the exit status tells'
            cand --deny-warnings 'Treat warnings as errors for the exit status and the valid/invalid split'
            cand --no-duplicate-check 'Skip the duplicate event_id check (it costs about 16 bytes per distinct id)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'clickstream;hash-phones'= {
            cand --column 'Read CSV and hash this column (its cells are replaced by their hash)'
            cand --delimiter 'With --column: the CSV delimiter, one character (`;`, `tab` or `\t`); guessed from the header when not given'
            cand --field 'Read JSONL events and hash this field where it holds a 12-digit number; 64-hex values pass through, other values are left and counted, but a phone number or digest in another spelling is an error (record left out)'
            cand --default-country 'Country code for numbers written without one (`91`): a trunk `0` is dropped and the code put in front'
            cand --target 'Which form of the number is hashed: `contract` (12 digits), `digits` (8 to 15 digits) or `e164` (`+` and digits)'
            cand --encoding 'How each hash is written'
            cand -o 'Write the output to FILE (replaced only when the run completes)'
            cand --output 'Write the output to FILE (replaced only when the run completes)'
            cand --threads 'Worker threads for plain lists (default or 0: all cores, at most 16; 1: one thread)'
            cand --max-record-bytes 'Longest line or record read (e.g. 65536, 512K, 4M); a longer one is reported and skipped'
            cand --color 'When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --keep-column 'With --column: keep the column and add `NAME_sha256` as the last column'
            cand --strict 'Treat a country-91 number that is not a mobile number as an error'
            cand --keep-alignment 'Write an empty line (or, for CSV, an empty hash cell) for each blank, bad or dropped line, so output line N belongs to input line N'
            cand --unique 'Drop repeated hashes. Memory: about 20 to 40 bytes per distinct number'
            cand -q 'Print no summary and no warnings (errors are still printed)'
            cand --quiet 'Print no summary and no warnings (errors are still printed)'
            cand --show-pii 'Show phone numbers unmasked in messages'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'clickstream;convert'= {
            cand -o 'Write here instead of stdout (via a temporary file, renamed when done); a name ending in .gz is gzip-compressed'
            cand --output 'Write here instead of stdout (via a temporary file, renamed when done); a name ending in .gz is gzip-compressed'
            cand --to 'Output format; taken from the -o extension when not given (.csv; .jsonl, .ndjson or .json for JSONL)'
            cand --from 'Input format; detected from the extension and content when not given'
            cand --max-record-bytes 'Longest record kept in memory (e.g. 65536, 512K, 4M); longer ones are skipped'
            cand --delimiter 'CSV delimiter: one character, or "tab"; guessed from the header when not given'
            cand --kind 'Which events are expected: click events must have click_timestamp'
            cand --reference-id 'Accepted reference_id forms'
            cand --columns 'Keep these fields outside the contract, as extra columns (or keys) after the contract''s fields'
            cand --invalid-out 'Write every rejected record here, byte for byte as read'
            cand --threads 'Worker threads for JSONL input (default or 0: all cores, at most 16; 1: one thread)'
            cand --color 'When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --strict 'Unknown fields and timestamps given as JSON numbers are errors, not warnings'
            cand --show-pii 'Show reference_id values in messages instead of masking them (personal data)'
            cand --crlf 'End CSV rows with CRLF instead of LF'
            cand --bom 'Start CSV output with a UTF-8 byte order mark (for spreadsheets)'
            cand --excel-safe 'Guard against formula injection: prefix CSV cells that start with = + - @ with '' (this changes those cells, so they no longer convert back as they were)'
            cand --drop-unknown 'Drop fields outside the contract instead of rejecting their records, and count them in the summary (also under --strict)'
            cand --no-validate 'Skip the contract''s field rules: convert every record that can be converted (syntax, duplicate keys, cell counts and unknown fields still count)'
            cand -q 'Print no diagnostics and no summary'
            cand --quiet 'Print no diagnostics and no summary'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'clickstream;replay'= {
            cand --url 'Where to send the records (http or https)'
            cand -X 'HTTP method'
            cand --method 'HTTP method'
            cand -H 'Extra header, repeatable: `${VAR}` is read from the environment, `{field}` from each record (e.g. -H ''Authorization: Bearer ${TOKEN}'')'
            cand --header 'Extra header, repeatable: `${VAR}` is read from the environment, `{field}` from each record (e.g. -H ''Authorization: Bearer ${TOKEN}'')'
            cand --hmac-secret-env 'Sign each body: adds `X-Signature-256: sha256=<hex HMAC-SHA256>` with the secret held in this environment variable'
            cand --hmac-header 'Name of the signature header'
            cand --rate 'Requests per second for the whole run, retries included (default: no limit)'
            cand --concurrency 'Requests in flight at once'
            cand --timeout 'Time allowed for one request, e.g. 10s, 500ms, 1m'
            cand --retries 'Retries per record after connection errors, timeouts, 408, 425, 429 and 5xx (but 501 and 505)'
            cand --max-retry-wait 'Longest `Retry-After` honoured; a server asking for more fails the record'
            cand --failed-out 'Write every record not delivered (failed or invalid) here, as read'
            cand --report 'Write one JSON outcome per record here'
            cand --checkpoint 'Save progress here; a rerun skips records already delivered or written to --failed-out'
            cand --from 'Input format; detected from the extension and content when not given'
            cand --max-record-bytes 'Longest record kept in memory (e.g. 65536, 512K, 4M); longer ones are skipped'
            cand --delimiter 'CSV delimiter: one character, or "tab"; guessed from the header when not given'
            cand --kind 'Which events are expected: click events must have click_timestamp'
            cand --reference-id 'Accepted reference_id forms'
            cand --format 'Summary format: text on stderr, or one JSON object on stdout'
            cand --backoff-base 'The first backoff wait (tests set it to 0s; Retry-After still holds)'
            cand --color 'When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --no-idempotency-key 'Do not add `Idempotency-Key: {event_id}` when no -H sets that header'
            cand --dry-run 'Print the requests instead of sending them (secrets redacted)'
            cand --no-validate 'Send records that break the event contract too'
            cand --strict 'Unknown fields and timestamps given as JSON numbers are errors, not warnings'
            cand --show-pii 'Show reference_id values in messages instead of masking them (personal data)'
            cand -q 'No per-record messages, no progress bar, no text summary'
            cand --quiet 'No per-record messages, no progress bar, no text summary'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'clickstream;schema'= {
            cand --kind 'Which events are described: click events must have click_timestamp'
            cand --reference-id 'Accepted reference_id forms, as with validate --reference-id'
            cand --color 'When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --strict 'Unknown fields and timestamps given as JSON numbers are refused, as with validate --strict'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'clickstream;completions'= {
            cand --color 'When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'clickstream;man'= {
            cand --color 'When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'clickstream;help'= {
            cand validate 'Check event files against the contract, with a diagnostic per problem'
            cand hash-phones 'Normalise phone numbers and write their SHA-256, one per input line'
            cand convert 'Convert event files between JSONL and CSV without losing a digit, key or line break'
            cand replay 'Send event files to an HTTP endpoint, one request per record, losing nothing'
            cand schema 'Print the JSON Schema (draft 2020-12) of an event, for other engines'
            cand completions 'Print a shell completion script'
            cand man 'Print the manual page (roff) of clickstream or one of its subcommands'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'clickstream;help;validate'= {
        }
        &'clickstream;help;hash-phones'= {
        }
        &'clickstream;help;convert'= {
        }
        &'clickstream;help;replay'= {
        }
        &'clickstream;help;schema'= {
        }
        &'clickstream;help;completions'= {
        }
        &'clickstream;help;man'= {
        }
        &'clickstream;help;help'= {
        }
    ]
    $completions[$command]
}
