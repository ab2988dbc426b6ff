import { describe, expect, it } from 'vitest';
import { engineConfigFromUrl } from './useEngine';

describe('engineConfigFromUrl', () => {
  it('reads a forced backend from ?backend=', () => {
    expect(engineConfigFromUrl('?backend=webgpu')).toEqual({ forced: 'webgpu', error: null });
    expect(engineConfigFromUrl('?x=1&backend=cpu')).toEqual({ forced: 'cpu', error: null });
  });
  it('chooses automatically without the parameter or with backend=auto', () => {
    expect(engineConfigFromUrl('')).toEqual({ forced: null, error: null });
    expect(engineConfigFromUrl('?backend=auto')).toEqual({ forced: null, error: null });
  });
  it('turns an unknown value into an error instead of a silent default', () => {
    const c = engineConfigFromUrl('?backend=webgl');
    expect(c.forced).toBeNull();
    expect(c.error).toMatch(/Unknown backend “webgl”/);
  });
});
