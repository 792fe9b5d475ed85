import { compareSpecificity, compileRoute } from '../../devhost/routeTemplate';

describe('compileRoute', () => {
  it.each([
    ['orders/{id}', 'orders/42', { id: '42' }],
    ['orders/{id}', 'ORDERS/42', { id: '42' }],
    ['orders/{id}', 'orders/42/', { id: '42' }],
    ['orders/{id}', 'orders', undefined],
    ['orders/{id}', 'orders/42/lines', undefined],
    ['orders/{id:int}', 'orders/x', undefined],
    ['orders/{id:int}', 'orders/-3', { id: '-3' }],
    ['items/{name?}', 'items', {}],
    ['items/{name?}', 'items/a%2Fb', { name: 'a/b' }],
    ['report/{format=json}', 'report', { format: 'json' }],
    ['files/{*path}', 'files/a/b/c', { path: 'a/b/c' }],
    ['files/{*path}', 'files', {}],
    ['u/{id:guid}', 'u/3f2504e0-4f89-11d3-9a0c-0305e82c3301', { id: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' }],
    ['u/{id:guid}', 'u/nope', undefined],
    ['v/{n:min(10)}', 'v/9', undefined],
    ['v/{code:regex(^[a-z]+$)}', 'v/abc', { code: 'abc' }],
    ['v/{code:regex(^[a-z]+$)}', 'v/ab1', undefined],
    ['a/{x:alpha}/b', 'a/xyz/b', { x: 'xyz' }],
    ['', '', {}],
  ])('%s against %s', (template, path, expected) => {
    expect(compileRoute(template).match(path)).toEqual(expected);
  });

  it('rejects a catch-all that is not last and mixed segments', () => {
    expect(() => compileRoute('files/{*path}/x')).toThrow('catch-all');
    expect(() => compileRoute('files/{name}.{ext}')).toThrow('not supported');
  });

  it('orders literal routes before parameters and catch-alls last', () => {
    const routes = ['orders/{*rest}', 'orders/{id}', 'orders/latest', 'orders/{id:int}'].map(compileRoute);
    expect(routes.sort(compareSpecificity).map((r) => r.template)).toEqual(['orders/latest', 'orders/{id:int}', 'orders/{id}', 'orders/{*rest}']);
  });
});
