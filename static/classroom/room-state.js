/**
 * A classroom page's state: the playground's page state (page-state.js) plus the room, and which
 * session is on screen. Pure functions (state, message) -> new state, kept in the page's store.
 */

import { receive } from "../js/page-state.js";

/** A page state for a room page; role "instructor" or "student". */
export function roomState(page, role) {
  return {
    ...page,
    readOnly: role === "student",
    shown: "room", // the source on screen (shownSource)
    shownData: null, // the `data` message on screen
    room: {
      role,
      mode: "follow", // a student's: "follow" (the room's session) or "own"
      code: "",
      name: "",
      members: 0, // the instructor's: students who joined
      connected: 0, // ... and of them, connected now
      own: null, // a student's own session while following: {epoch} when last seen, else null
      spotlight: null, // the instructor's: {id, name} of the student on the projector
      spotlit: false, // a student's: on the projector now
      locks: [],
      challenge: null,
      leaderboard: null, // the `leaderboard` message: {goal, goalText, entries}
      snapshot: null, // the last `snapshot` answer (a student's download of their network)
      students: [], // the instructor's gallery
      sort: "name", // how the gallery is sorted: "name" or "loss"
      closed: null, // why the room closed
      sources: {}, // the newest `state` and `data` of each session the page hears of, by source
    },
  };
}

/** The session a page shows: the room's, or the spotlighted student's, or a student's own. */
export function shownSource(room) {
  if (room.role === "instructor") return room.spotlight ? "spotlight" : "room";
  return room.mode === "own" ? "own" : "room";
}

/**
 * Put the shown source's newest `state` and `data` through the playground's reducer, so every
 * view shows that session; read-only unless the page drives it. Another source than before is
 * another run: its frames start afresh (and the loss chart with them).
 */
function show(state) {
  const { room } = state;
  const source = shownSource(room);
  let next = state;
  if (source !== state.shown) next = { ...next, shown: source, run: next.run + 1, frame: null, focus: null, inspection: null };
  const { state: sourceState, data } = room.sources[source] || {};
  if (sourceState && sourceState !== next.server) next = receive(next, sourceState);
  if (data && data !== next.shownData) next = { ...receive(next, data), shownData: data };
  // Locks are for students: their controls stay in view, disabled (views/controls.js).
  const locks = room.role === "student" ? room.locks : [];
  const readOnly = room.role === "student" ? room.mode !== "own" : source === "spotlight";
  if (next.readOnly !== readOnly) next = { ...next, readOnly };
  if (next.locked.join() !== locks.join()) next = { ...next, locked: locks };
  return next;
}

function withRoom(state, changes) {
  return show({ ...state, room: { ...state.room, ...changes } });
}

/** A JSON message on the room socket. */
export function receiveRoom(state, message) {
  const { room } = state;
  switch (message.type) {
    case "state":
    case "data": {
      // A student's own session speaks without a source; the room's and a spotlight's say so.
      const source = message.source || "own";
      const sources = { ...room.sources, [source]: { ...room.sources[source], [message.type]: message } };
      // A state of the student's own session means the server gave them one (a fork or a push).
      const mode = room.role === "student" && source === "own" && message.type === "state" ? "own" : room.mode;
      return withRoom(state, { sources, mode });
    }
    case "room": {
      const changes = { code: message.code, locks: message.locks, challenge: message.challenge };
      if (room.role === "instructor") {
        Object.assign(changes, { members: message.members, connected: message.connected, spotlight: message.spotlight });
      } else {
        Object.assign(changes, { name: message.name, mode: message.mode });
        if ("own" in message) changes.own = message.own;
      }
      return withRoom(state, changes);
    }
    case "locks":
      return withRoom(state, { locks: message.controls });
    case "pushed":
      return withRoom(state, { challenge: message.challenge, leaderboard: null });
    case "forked":
      return withRoom(state, { mode: "own" });
    case "spotlight":
      return withRoom(state, { spotlit: message.on });
    case "leaderboard":
      return withRoom(state, { leaderboard: message });
    case "snapshot":
      return withRoom(state, { snapshot: message });
    case "gallery": {
      const connected = message.students.filter((s) => s.connected).length;
      return withRoom(state, { students: message.students, members: message.students.length, connected });
    }
    case "closed":
      return withRoom(state, { closed: message.reason });
    default:
      return receive(state, message);
  }
}

/** The instructor sorts the gallery by "name" or "loss". */
export function sortGallery(state, by) {
  return { ...state, room: { ...state.room, sort: by } };
}

/**
 * A student goes back to following the room (the server is told with a `follow`); their own
 * session stays on the server, at the epoch it had.
 */
export function follow(state) {
  const epoch = state.frame ? state.frame.epoch : state.server ? state.server.epoch : 0;
  const own = state.room.mode === "own" ? { epoch } : state.room.own;
  return withRoom(state, { mode: "follow", own });
}

/** The epoch of a student's own session, on screen or kept while following; null without one. */
export function ownEpoch(state) {
  if (state.room.mode === "own") return state.frame ? state.frame.epoch : state.server ? state.server.epoch : 0;
  return state.room.own ? state.room.own.epoch : null;
}
