/** The ScheduleService calls of WorkflowService, bound to the engine's {@link Schedules}. */
import type { Engine } from '../engine';
import type { Pb } from '../proto';

export function scheduleHandlers(engine: Engine): Record<string, (request: Pb) => Pb> {
  const schedules = () => engine.schedules!;
  return {
    CreateSchedule: (request) => schedules().create(request),
    DescribeSchedule: (request) => schedules().describe(request),
    UpdateSchedule: (request) => schedules().update(request),
    PatchSchedule: (request) => schedules().patch(request),
    DeleteSchedule: (request) => schedules().delete(request),
    ListSchedules: (request) => schedules().list(request),
    ListScheduleMatchingTimes: (request) => schedules().matchingTimes(request),
  };
}
