import {
  BadRequestException,
  Catch,
  ConflictException,
  HttpException,
  InternalServerErrorException,
  NotFoundException,
  ServiceUnavailableException,
  type ArgumentsHost,
} from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import {
  DuplicateRunRequestError,
  OptionValidationError,
  RunRequestNotRecordedError,
  RunSkippedError,
  SchedulerShutdownError,
  TaskNotFoundError,
  TriggerValidationError,
} from './errors.js';

/** The HTTP answer to each error a controller calling the registry may meet. */
function toHttpException(error: Error): HttpException {
  if (error instanceof TaskNotFoundError) return new NotFoundException(error.message);
  if (error instanceof OptionValidationError || error instanceof TriggerValidationError) {
    return new BadRequestException(error.message);
  }
  // The request ran already, or the task is running and its overlap policy refused another run.
  if (error instanceof DuplicateRunRequestError || error instanceof RunSkippedError) {
    return new ConflictException(error.message);
  }
  // Shutting down, or the cluster store could not record a run request: try again later.
  if (error instanceof SchedulerShutdownError || error instanceof RunRequestNotRecordedError) {
    return new ServiceUnavailableException(error.message);
  }
  return new InternalServerErrorException(error.message);
}

/**
 * Answers the registry's errors in HTTP terms instead of a 500: an unknown task 404, bad input
 * (a limit, a trigger) 400, a duplicate request id or a run refused by the overlap policy 409, a
 * scheduler shutting down or a run request the cluster store could not record 503, each with the
 * error's message. Other errors pass to Nest's default handling. Use it on a controller (`@UseFilters(AioClockExceptionFilter)`) or app-wide
 * (`{ provide: APP_FILTER, useClass: AioClockExceptionFilter }`); any HTTP platform.
 */
@Catch(
  TaskNotFoundError,
  OptionValidationError,
  TriggerValidationError,
  DuplicateRunRequestError,
  RunSkippedError,
  SchedulerShutdownError,
  RunRequestNotRecordedError,
)
export class AioClockExceptionFilter extends BaseExceptionFilter {
  override catch(error: Error, host: ArgumentsHost): void {
    super.catch(toHttpException(error), host);
  }
}
