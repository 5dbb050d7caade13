/**
 * Files to keep from a room: the instructor's results (CSV or JSON, fetched with the room's token)
 * and a student's own network (the `restore` fields of a `snapshot`, ready to load again).
 */

/** A name a file system takes: letters, digits, dots, dashes; runs of anything else become "-". */
export function fileSafe(text) {
  const safe = String(text).normalize("NFKD").replace(/[^\w.-]+/g, "-").replace(/^-+|-+$/g, "");
  return safe || "student";
}

/** The room's results file: its name and where to fetch it. `kind` "csv" or "json". */
export function resultsFile(code, kind) {
  return { name: `room-${code}-results.${kind}`, path: `/classroom/api/rooms/${encodeURIComponent(code)}/results.${kind}` };
}

/**
 * A student's network as a file: the snapshot's restore fields (config, epoch, weights, biases,
 * dead), which the playground's `restore` message takes as they are, and whose it is.
 */
export function networkFile(snapshot, { name, code, savedAt = new Date() }) {
  const { config, epoch, weights, biases, dead } = snapshot;
  const record = {
    what: "A network from the neural-network playground's classroom",
    student: name,
    room: code,
    savedAt: savedAt.toISOString(),
    config,
    epoch,
    weights,
    biases,
    dead,
  };
  const file = `network-${fileSafe(name)}-room-${code}-epoch-${epoch}.json`;
  return { name: file, text: JSON.stringify(record, null, 1) };
}

/** Save `blob` as a file called `name`, as a download. */
export function saveFile(doc, blob, name) {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(doc.createElement("a"), { href: url, download: name });
  link.hidden = true;
  doc.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once it started; the next task frees this one.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Fetch the room's results with the instructor's token and save them; throws with the server's words. */
export async function downloadResults(doc, code, token, kind) {
  const { name, path } = resultsFile(code, kind);
  const response = await fetch(path, { headers: { "x-room-token": token } });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(body.message || `the server answered ${response.status}`);
  }
  saveFile(doc, await response.blob(), name);
}
