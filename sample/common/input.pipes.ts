import { BadRequestException, type PipeTransform } from '@nestjs/common';

/** The sample's answers to bad input, in one place so that its tests can assert on them. */
export const inputMessages = {
  integerInRange: (field: string, min: number, max: number) =>
    `${field} must be an integer from ${min} to ${max}`,
  oneOf: (field: string, allowed: readonly string[]) =>
    `${field} must be one of ${allowed.join(', ')}`,
  unknownField: (field: string, known: readonly string[]) =>
    `unknown field "${field}"; expected ${known.join(', ')}`,
  bodyNotAnObject: () => 'the body must be a JSON object',
};

/**
 * Accepts an integer, or a string of digits (query values are strings), within [min, max].
 * ParseIntPipe neither checks a range nor names the field, hence this small pipe.
 */
export class IntRangePipe implements PipeTransform<unknown, number> {
  constructor(
    private readonly field: string,
    private readonly min: number,
    private readonly max: number,
  ) {}

  transform(value: unknown): number {
    const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
    if (
      typeof number !== 'number' ||
      !Number.isInteger(number) ||
      number < this.min ||
      number > this.max
    ) {
      throw new BadRequestException(inputMessages.integerInRange(this.field, this.min, this.max));
    }
    return number;
  }
}

/** Refuses a body that is not an object or has a field the endpoint does not take (a typo). */
export class KnownFieldsPipe implements PipeTransform<unknown, object> {
  constructor(private readonly known: readonly string[]) {}

  transform(body: unknown): object {
    if (body === undefined) return {};
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new BadRequestException(inputMessages.bodyNotAnObject());
    }
    for (const field of Object.keys(body)) {
      if (!this.known.includes(field)) {
        throw new BadRequestException(inputMessages.unknownField(field, this.known));
      }
    }
    return body;
  }
}
