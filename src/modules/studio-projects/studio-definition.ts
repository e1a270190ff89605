import { BadUserInputError } from '../../errors.js';
import { parseUuid } from '../../graphql/ids.js';

/**
 * A Studio project's crew (SPEC §7 "from a Studio project's definition"): its agents, the tasks
 * each agent does, and the organization's tools they use, by id. A Studio runtime builds the crew
 * from this alone, so it is checked whole before it is stored: a task names an agent of the same
 * definition, a tool reference names a tool of the organization (checkToolReferences), and every
 * size is bounded. A refusal is BAD_USER_INPUT whose `extensions.path` names the bad element
 * (`tasks[2].agent`).
 */
export type StudioProcess = 'SEQUENTIAL' | 'HIERARCHICAL';

export type StudioAgent = { key: string; role: string; goal: string; backstory: string; toolIds: string[] };
export type StudioTask = { key: string; description: string; expectedOutput: string; agent: string; toolIds: string[] };
export type StudioDefinition = { process: StudioProcess; agents: StudioAgent[]; tasks: StudioTask[] };

/** A tool id the definition uses, with where it is used. */
export interface ToolReference {
  path: string;
  id: string;
}

export const DEFINITION_MAX_BYTES = 256 * 1024;
const MAX_AGENTS = 50;
const MAX_TASKS = 100;
const MAX_TOOLS_PER_ITEM = 20;
const KEY = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const PROCESSES: readonly StudioProcess[] = ['SEQUENTIAL', 'HIERARCHICAL'];

type Json = Record<string, unknown>;

function refuse(path: string, problem: string): never {
  throw new BadUserInputError(`definition.${path} ${problem}`, { field: 'definition', path });
}

function object(value: unknown, path: string, allowed: readonly string[]): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) refuse(path, 'must be an object.');
  const unknown = Object.keys(value).find((key) => !allowed.includes(key));
  if (unknown !== undefined) refuse(`${path}.${unknown}`.replace(/^\./, ''), `is not part of a definition; use only ${allowed.join(', ')}.`);
  return value as Json;
}

function text(value: unknown, path: string, min: number, max: number): string {
  if (value === undefined && min === 0) return '';
  if (typeof value !== 'string' || value.trim().length < min || value.length > max) {
    refuse(path, min > 0 ? `must be text of ${min} to ${max} characters.` : `must be text of at most ${max} characters.`);
  }
  return value;
}

function list(value: unknown, path: string, min: number, max: number): unknown[] {
  if (value === undefined && min === 0) return [];
  if (!Array.isArray(value) || value.length < min || value.length > max) refuse(path, `must be a list of ${min} to ${max} items.`);
  return value;
}

function key(value: unknown, path: string, seen: Set<string>): string {
  if (typeof value !== 'string' || !KEY.test(value))
    refuse(path, 'must start with a letter and have at most 64 letters, digits, "_" or "-" (for example "researcher").');
  if (seen.has(value)) refuse(path, `repeats the key "${value}"; each key must be unique in its list.`);
  seen.add(value);
  return value;
}

function toolIds(value: unknown, path: string, references: ToolReference[]): string[] {
  return list(value, path, 0, MAX_TOOLS_PER_ITEM).map((raw, i) => {
    const id = parseUuid(raw);
    if (!id) refuse(`${path}[${i}]`, 'must be the id of a tool of this organization (Organization.tools).');
    references.push({ path: `${path}[${i}]`, id });
    return id;
  });
}

/**
 * Checks the shape and the references inside the definition; returns it normalised (defaults
 * filled in, unknown keys refused) with the tool ids still to check against the organization.
 */
export function parseStudioDefinition(raw: Record<string, unknown>): { definition: StudioDefinition; tools: ToolReference[] } {
  if (Buffer.byteLength(JSON.stringify(raw), 'utf8') > DEFINITION_MAX_BYTES) {
    throw new BadUserInputError(`definition must be at most ${DEFINITION_MAX_BYTES} bytes of JSON; move long texts out of it.`, {
      field: 'definition',
      path: '',
    });
  }
  const root = object(raw, '', ['process', 'agents', 'tasks']);
  const process = root.process ?? 'SEQUENTIAL';
  if (typeof process !== 'string' || !PROCESSES.includes(process as StudioProcess)) refuse('process', `must be one of ${PROCESSES.join(', ')}.`);
  const tools: ToolReference[] = [];
  const agentKeys = new Set<string>();
  const agents = list(root.agents, 'agents', 1, MAX_AGENTS).map((value, i): StudioAgent => {
    const path = `agents[${i}]`;
    const agent = object(value, path, ['key', 'role', 'goal', 'backstory', 'toolIds']);
    return {
      key: key(agent.key, `${path}.key`, agentKeys),
      role: text(agent.role, `${path}.role`, 1, 500),
      goal: text(agent.goal, `${path}.goal`, 1, 2000),
      backstory: text(agent.backstory, `${path}.backstory`, 0, 4000),
      toolIds: toolIds(agent.toolIds, `${path}.toolIds`, tools),
    };
  });
  const taskKeys = new Set<string>();
  const tasks = list(root.tasks, 'tasks', 1, MAX_TASKS).map((value, i): StudioTask => {
    const path = `tasks[${i}]`;
    const task = object(value, path, ['key', 'description', 'expectedOutput', 'agent', 'toolIds']);
    const agent = task.agent;
    if (typeof agent !== 'string' || !agentKeys.has(agent)) {
      refuse(`${path}.agent`, `must be the key of an agent of this definition (one of: ${[...agentKeys].join(', ')}).`);
    }
    return {
      key: key(task.key, `${path}.key`, taskKeys),
      description: text(task.description, `${path}.description`, 1, 8000),
      expectedOutput: text(task.expectedOutput, `${path}.expectedOutput`, 0, 4000),
      agent,
      toolIds: toolIds(task.toolIds, `${path}.toolIds`, tools),
    };
  });
  return { definition: { process: process as StudioProcess, agents, tasks }, tools };
}

/**
 * Refuses the first reference whose id is not a tool of the organization (`existing` holds the
 * organization's tools among the referenced ids).
 */
export function checkToolReferences(references: readonly ToolReference[], existing: ReadonlySet<string>): void {
  const missing = references.find((reference) => !existing.has(reference.id));
  if (missing) refuse(missing.path, `names no tool of this organization ("${missing.id}"); create the tool first or remove the reference.`);
}
