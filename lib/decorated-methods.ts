import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { TaskDeclarationError, messages } from './errors.js';

/** A method of a provider or controller that carries one of the metadata keys looked for. */
export interface DecoratedMethod {
  /** The instance Nest built, on which the method is called. */
  instance: object;
  /** The class, for class-level metadata such as `@TaskGroup`. */
  host: abstract new (...args: never[]) => unknown;
  hostName: string;
  method: string;
  /** The metadata found, by key. */
  metadata: Map<string, unknown>;
}

/**
 * Finds the methods of providers and controllers that carry some metadata, through Nest's
 * DiscoveryService. A request-scoped or transient host has no one instance to run them on: that
 * is a bootstrap error with the reason, never a silent skip.
 */
@Injectable()
export class DecoratedMethods {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  find(keys: readonly string[]): DecoratedMethod[] {
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    const seen = new Set<object>();
    const found: DecoratedMethod[] = [];
    for (const wrapper of wrappers) {
      const instance = wrapper.instance as object | undefined;
      // The same instance can be reachable through several wrappers (aliases); take it once.
      if (instance && seen.has(instance)) continue;
      if (instance) seen.add(instance);
      found.push(...this.inWrapper(wrapper, keys));
    }
    return found;
  }

  private inWrapper(wrapper: InstanceWrapper, keys: readonly string[]): DecoratedMethod[] {
    const { instance, metatype } = wrapper;
    const prototype: object | undefined = instance
      ? Object.getPrototypeOf(instance)
      : metatype?.prototype;
    if (!prototype || typeof prototype !== 'object') return [];
    const methods = this.scanner
      .getAllMethodNames(prototype)
      .map((method) => ({ method, metadata: metadataOf(prototype, method, keys) }))
      .filter(({ metadata }) => metadata.size > 0);
    if (methods.length === 0) return [];
    const host = (instance?.constructor ?? metatype) as DecoratedMethod['host'];
    const hostName = host?.name ?? String(wrapper.token);
    if (wrapper.isTransient) {
      throw new TaskDeclarationError(messages.transientHost(hostName, methods[0].method));
    }
    if (!wrapper.isDependencyTreeStatic()) {
      throw new TaskDeclarationError(messages.requestScopedHost(hostName, methods[0].method));
    }
    return methods.map(({ method, metadata }) => ({
      instance: instance as object,
      host,
      hostName,
      method,
      metadata,
    }));
  }
}

function metadataOf(prototype: object, method: string, keys: readonly string[]) {
  const found = new Map<string, unknown>();
  const fn = (prototype as Record<string, unknown>)[method];
  if (typeof fn !== 'function') return found;
  for (const key of keys) {
    const value: unknown = Reflect.getMetadata(key, fn);
    if (value !== undefined) found.set(key, value);
  }
  return found;
}
