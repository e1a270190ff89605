/**
 * A value the gateway puts on a request's context for middleware to read (its deadline, its
 * response budget). A symbol-keyed property, not a WeakMap keyed by the context: Apollo runs
 * resolvers with a shallow copy of the context the gateway built (ApolloServer's cloneObject),
 * which copies such properties but is another object.
 */
export function contextSlot<T>(name: string, is: (value: unknown) => value is T) {
  const key = Symbol(name);
  return {
    set<C extends object>(context: C, value: T): C {
      Reflect.set(context, key, value);
      return context;
    },
    get(context: object): T | undefined {
      const value: unknown = Reflect.get(context, key);
      return is(value) ? value : undefined;
    },
  };
}
