import { getPresentedSecret, headerValue, queryValue } from '../../../src/domain/push';

describe('getPresentedSecret: where each source carries its shared secret', () => {
  it.each([
    ['acr', 'the Authorization header as configured', { headers: { authorization: 'abc123' } }, 'abc123'],
    ['acr', 'a Bearer Authorization header, prefix removed', { headers: { Authorization: 'Bearer abc123' } }, 'abc123'],
    ['acr', 'a lowercase bearer prefix', { headers: new Headers({ authorization: 'bearer  abc123' }) }, 'abc123'],
    ['acr', 'only a query secret (ACR uses headers)', { query: { secret: 'abc123' } }, undefined],
    ['acr', 'an empty Authorization header', { headers: { authorization: '' } }, undefined],
    ['eventgrid', 'the aeg-sas-key header', { headers: { 'aeg-sas-key': 'k1' }, query: { secret: 'k2' } }, 'k1'],
    ['eventgrid', '?secret= when no header', { query: new URLSearchParams('secret=k2&code=k3') }, 'k2'],
    ['eventgrid', '?code= last', { query: new URLSearchParams('code=k3') }, 'k3'],
    ['eventgrid', 'a Bearer Authorization header (the delivery property infra/ sets), first', { headers: { authorization: 'Bearer k0', 'aeg-sas-key': 'k1' } }, 'k0'],
    ['eventgrid', 'an empty Authorization header falls through to aeg-sas-key', { headers: { authorization: '', 'aeg-sas-key': 'k1' } }, 'k1'],
    ['dockerhub', '?secret=', { query: { secret: 'd1', code: 'd2' } }, 'd1'],
    ['dockerhub', '?code=', { query: { code: 'd2' } }, 'd2'],
    ['dockerhub', 'a header only (Docker Hub cannot send headers)', { headers: { authorization: 'd1' } }, undefined],
    ['dockerhub', 'a repeated ?secret= (ambiguous)', { query: { secret: ['d1', 'd2'] } }, undefined],
  ] as const)('%s: %s', (source, _case, request, expected) => {
    expect(getPresentedSecret(source, request)).toBe(expected);
  });
});

describe('headerValue and queryValue', () => {
  it.each([
    [{ 'X-GitHub-Event': 'package' }, 'x-github-event', 'package'],
    [{ 'x-github-event': ['package'] }, 'X-GitHub-Event', 'package'],
    [{ 'x-github-event': ['package', 'ping'] }, 'X-GitHub-Event', undefined],
    [new Headers({ 'X-GitHub-Event': 'package' }), 'x-github-event', 'package'],
    [{}, 'x-github-event', undefined],
    [undefined, 'x-github-event', undefined],
  ])('header names are case-insensitive: %j[%s] → %s', (headers, name, expected) => {
    expect(headerValue(headers, name)).toBe(expected);
  });

  it.each([
    [{ secret: 's' }, 'secret', 's'],
    [{ Secret: 's' }, 'secret', undefined],
    [new URLSearchParams('secret=s'), 'secret', 's'],
    [{ toString: 'x' }, 'constructor', undefined],
  ])('query names are case-sensitive and own properties only: %j[%s] → %s', (query, name, expected) => {
    expect(queryValue(query, name)).toBe(expected);
  });
});
