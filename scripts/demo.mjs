// The containers `npm start` runs to show traffic through a cross-host link and a tunnel (see README).
// Plain `sh -c` scripts for the fixture image (busybox, socat): nothing to build or download.

/**
 * The demo: `beta/database` answers HTTP on port 8080 (socat + a shell script, so it works offline
 * with the fixture image), and `alpha/web` asks `http://api:8080/` every 2 s and logs the answer,
 * or that it is still waiting. Linking web to database across hosts as `api` makes the answers
 * appear in web's logs; forwarding database:8080 to localhost opens it in the browser.
 */
export const demoVersion = '2';
export const demoPort = 8080;

export const demoServer = [
  'trap "exit 0" TERM INT',
  "cat > /answer.sh <<'EOF'",
  'read -r method target _',
  // Read the headers to the end: closing with unread bytes would reset the browser's connection.
  'while IFS= read -r line; do line="${line%$(printf \'\\r\')}"; [ -z "$line" ] && break; done',
  'n=$(( $(cat /tmp/count 2>/dev/null || echo 0) + 1 )); echo "$n" > /tmp/count',
  'body="hello from database on beta: request #$n ($method $target) at $(date +%T)"',
  'printf \'HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\nContent-Length: %s\\r\\nConnection: close\\r\\n\\r\\n%s\\n\' "$(( ${#body} + 1 ))" "$body"',
  'EOF',
  'echo "database: answering HTTP on port 8080"',
  'socat -t 5 TCP-LISTEN:8080,fork,reuseaddr SYSTEM:"sh /answer.sh" & wait $!',
].join('\n');

export const demoClient = [
  'trap "exit 0" TERM INT',
  'while :; do',
  "  reply=$(printf 'GET / HTTP/1.0\\r\\nHost: api\\r\\n\\r\\n' | nc -w 3 api 8080 2>/dev/null | tail -n 1)",
  '  if [ -n "$reply" ]; then echo "$(date +%T) api answered: $reply"',
  '  else echo "$(date +%T) waiting for api… (link alpha/web to beta/database across hosts as \\"api\\", port 8080)"; fi',
  '  sleep 2 & wait $!',
  'done',
].join('\n');
