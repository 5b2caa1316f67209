
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'clickstream' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'clickstream'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'clickstream' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check event files against the contract, with a diagnostic per problem')
            [CompletionResult]::new('hash-phones', 'hash-phones', [CompletionResultType]::ParameterValue, 'Normalise phone numbers and write their SHA-256, one per input line')
            [CompletionResult]::new('convert', 'convert', [CompletionResultType]::ParameterValue, 'Convert event files between JSONL and CSV without losing a digit, key or line break')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Send event files to an HTTP endpoint, one request per record, losing nothing')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema (draft 2020-12) of an event, for other engines')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff) of clickstream or one of its subcommands')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'clickstream;validate' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Input format; detected from the extension and content when not given')
            [CompletionResult]::new('--max-record-bytes', '--max-record-bytes', [CompletionResultType]::ParameterName, 'Longest record kept in memory (e.g. 65536, 512K, 4M); longer ones are skipped')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'CSV delimiter: one character, or "tab"; guessed from the header when not given')
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Which events are expected: click events must have click_timestamp')
            [CompletionResult]::new('--reference-id', '--reference-id', [CompletionResultType]::ParameterName, 'Accepted reference_id forms')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of diagnostics and summary')
            [CompletionResult]::new('--valid-out', '--valid-out', [CompletionResultType]::ParameterName, 'Write every valid record here, byte for byte as read')
            [CompletionResult]::new('--invalid-out', '--invalid-out', [CompletionResultType]::ParameterName, 'Write every invalid record here, byte for byte as read (a quarantine file)')
            [CompletionResult]::new('--max-errors', '--max-errors', [CompletionResultType]::ParameterName, 'Stop after N error diagnostics (N at least 1)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads for JSONL input (default or 0: all cores, at most 16; 1: one thread)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Unknown fields and timestamps given as JSON numbers are errors, not warnings')
            [CompletionResult]::new('--show-pii', '--show-pii', [CompletionResultType]::ParameterName, 'Show reference_id values in messages instead of masking them (personal data)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no diagnostics and no summary; only the exit status tells')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no diagnostics and no summary; only the exit status tells')
            [CompletionResult]::new('--deny-warnings', '--deny-warnings', [CompletionResultType]::ParameterName, 'Treat warnings as errors for the exit status and the valid/invalid split')
            [CompletionResult]::new('--no-duplicate-check', '--no-duplicate-check', [CompletionResultType]::ParameterName, 'Skip the duplicate event_id check (it costs about 16 bytes per distinct id)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'clickstream;hash-phones' {
            [CompletionResult]::new('--column', '--column', [CompletionResultType]::ParameterName, 'Read CSV and hash this column (its cells are replaced by their hash)')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'With --column: the CSV delimiter, one character (`;`, `tab` or `\t`); guessed from the header when not given')
            [CompletionResult]::new('--field', '--field', [CompletionResultType]::ParameterName, 'Read JSONL events and hash this field where it holds a 12-digit number; 64-hex values pass through, other values are left and counted, but a phone number or digest in another spelling is an error (record left out)')
            [CompletionResult]::new('--default-country', '--default-country', [CompletionResultType]::ParameterName, 'Country code for numbers written without one (`91`): a trunk `0` is dropped and the code put in front')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Which form of the number is hashed: `contract` (12 digits), `digits` (8 to 15 digits) or `e164` (`+` and digits)')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'How each hash is written')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the output to FILE (replaced only when the run completes)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the output to FILE (replaced only when the run completes)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads for plain lists (default or 0: all cores, at most 16; 1: one thread)')
            [CompletionResult]::new('--max-record-bytes', '--max-record-bytes', [CompletionResultType]::ParameterName, 'Longest line or record read (e.g. 65536, 512K, 4M); a longer one is reported and skipped')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--keep-column', '--keep-column', [CompletionResultType]::ParameterName, 'With --column: keep the column and add `NAME_sha256` as the last column')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Treat a country-91 number that is not a mobile number as an error')
            [CompletionResult]::new('--keep-alignment', '--keep-alignment', [CompletionResultType]::ParameterName, 'Write an empty line (or, for CSV, an empty hash cell) for each blank, bad or dropped line, so output line N belongs to input line N')
            [CompletionResult]::new('--unique', '--unique', [CompletionResultType]::ParameterName, 'Drop repeated hashes. Memory: about 20 to 40 bytes per distinct number')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no summary and no warnings (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no summary and no warnings (errors are still printed)')
            [CompletionResult]::new('--show-pii', '--show-pii', [CompletionResultType]::ParameterName, 'Show phone numbers unmasked in messages')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'clickstream;convert' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write here instead of stdout (via a temporary file, renamed when done); a name ending in .gz is gzip-compressed')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write here instead of stdout (via a temporary file, renamed when done); a name ending in .gz is gzip-compressed')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Output format; taken from the -o extension when not given (.csv; .jsonl, .ndjson or .json for JSONL)')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Input format; detected from the extension and content when not given')
            [CompletionResult]::new('--max-record-bytes', '--max-record-bytes', [CompletionResultType]::ParameterName, 'Longest record kept in memory (e.g. 65536, 512K, 4M); longer ones are skipped')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'CSV delimiter: one character, or "tab"; guessed from the header when not given')
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Which events are expected: click events must have click_timestamp')
            [CompletionResult]::new('--reference-id', '--reference-id', [CompletionResultType]::ParameterName, 'Accepted reference_id forms')
            [CompletionResult]::new('--columns', '--columns', [CompletionResultType]::ParameterName, 'Keep these fields outside the contract, as extra columns (or keys) after the contract''s fields')
            [CompletionResult]::new('--invalid-out', '--invalid-out', [CompletionResultType]::ParameterName, 'Write every rejected record here, byte for byte as read')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads for JSONL input (default or 0: all cores, at most 16; 1: one thread)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Unknown fields and timestamps given as JSON numbers are errors, not warnings')
            [CompletionResult]::new('--show-pii', '--show-pii', [CompletionResultType]::ParameterName, 'Show reference_id values in messages instead of masking them (personal data)')
            [CompletionResult]::new('--crlf', '--crlf', [CompletionResultType]::ParameterName, 'End CSV rows with CRLF instead of LF')
            [CompletionResult]::new('--bom', '--bom', [CompletionResultType]::ParameterName, 'Start CSV output with a UTF-8 byte order mark (for spreadsheets)')
            [CompletionResult]::new('--excel-safe', '--excel-safe', [CompletionResultType]::ParameterName, 'Guard against formula injection: prefix CSV cells that start with = + - @ with '' (this changes those cells, so they no longer convert back as they were)')
            [CompletionResult]::new('--drop-unknown', '--drop-unknown', [CompletionResultType]::ParameterName, 'Drop fields outside the contract instead of rejecting their records, and count them in the summary (also under --strict)')
            [CompletionResult]::new('--no-validate', '--no-validate', [CompletionResultType]::ParameterName, 'Skip the contract''s field rules: convert every record that can be converted (syntax, duplicate keys, cell counts and unknown fields still count)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no diagnostics and no summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no diagnostics and no summary')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'clickstream;replay' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Where to send the records (http or https)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'HTTP method')
            [CompletionResult]::new('--method', '--method', [CompletionResultType]::ParameterName, 'HTTP method')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra header, repeatable: `${VAR}` is read from the environment, `{field}` from each record (e.g. -H ''Authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra header, repeatable: `${VAR}` is read from the environment, `{field}` from each record (e.g. -H ''Authorization: Bearer ${TOKEN}'')')
            [CompletionResult]::new('--hmac-secret-env', '--hmac-secret-env', [CompletionResultType]::ParameterName, 'Sign each body: adds `X-Signature-256: sha256=<hex HMAC-SHA256>` with the secret held in this environment variable')
            [CompletionResult]::new('--hmac-header', '--hmac-header', [CompletionResultType]::ParameterName, 'Name of the signature header')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Requests per second for the whole run, retries included (default: no limit)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time allowed for one request, e.g. 10s, 500ms, 1m')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per record after connection errors, timeouts, 408, 425, 429 and 5xx (but 501 and 505)')
            [CompletionResult]::new('--max-retry-wait', '--max-retry-wait', [CompletionResultType]::ParameterName, 'Longest `Retry-After` honoured; a server asking for more fails the record')
            [CompletionResult]::new('--failed-out', '--failed-out', [CompletionResultType]::ParameterName, 'Write every record not delivered (failed or invalid) here, as read')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Write one JSON outcome per record here')
            [CompletionResult]::new('--checkpoint', '--checkpoint', [CompletionResultType]::ParameterName, 'Save progress here; a rerun skips records already delivered or written to --failed-out')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Input format; detected from the extension and content when not given')
            [CompletionResult]::new('--max-record-bytes', '--max-record-bytes', [CompletionResultType]::ParameterName, 'Longest record kept in memory (e.g. 65536, 512K, 4M); longer ones are skipped')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'CSV delimiter: one character, or "tab"; guessed from the header when not given')
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Which events are expected: click events must have click_timestamp')
            [CompletionResult]::new('--reference-id', '--reference-id', [CompletionResultType]::ParameterName, 'Accepted reference_id forms')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Summary format: text on stderr, or one JSON object on stdout')
            [CompletionResult]::new('--backoff-base', '--backoff-base', [CompletionResultType]::ParameterName, 'The first backoff wait (tests set it to 0s; Retry-After still holds)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--no-idempotency-key', '--no-idempotency-key', [CompletionResultType]::ParameterName, 'Do not add `Idempotency-Key: {event_id}` when no -H sets that header')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the requests instead of sending them (secrets redacted)')
            [CompletionResult]::new('--no-validate', '--no-validate', [CompletionResultType]::ParameterName, 'Send records that break the event contract too')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Unknown fields and timestamps given as JSON numbers are errors, not warnings')
            [CompletionResult]::new('--show-pii', '--show-pii', [CompletionResultType]::ParameterName, 'Show reference_id values in messages instead of masking them (personal data)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No per-record messages, no progress bar, no text summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No per-record messages, no progress bar, no text summary')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'clickstream;schema' {
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Which events are described: click events must have click_timestamp')
            [CompletionResult]::new('--reference-id', '--reference-id', [CompletionResultType]::ParameterName, 'Accepted reference_id forms, as with validate --reference-id')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Unknown fields and timestamps given as JSON numbers are refused, as with validate --strict')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'clickstream;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'clickstream;man' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'clickstream;help' {
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check event files against the contract, with a diagnostic per problem')
            [CompletionResult]::new('hash-phones', 'hash-phones', [CompletionResultType]::ParameterValue, 'Normalise phone numbers and write their SHA-256, one per input line')
            [CompletionResult]::new('convert', 'convert', [CompletionResultType]::ParameterValue, 'Convert event files between JSONL and CSV without losing a digit, key or line break')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Send event files to an HTTP endpoint, one request per record, losing nothing')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema (draft 2020-12) of an event, for other engines')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff) of clickstream or one of its subcommands')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'clickstream;help;validate' {
            break
        }
        'clickstream;help;hash-phones' {
            break
        }
        'clickstream;help;convert' {
            break
        }
        'clickstream;help;replay' {
            break
        }
        'clickstream;help;schema' {
            break
        }
        'clickstream;help;completions' {
            break
        }
        'clickstream;help;man' {
            break
        }
        'clickstream;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
