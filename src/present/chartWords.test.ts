import { describe, expect, it } from 'vitest';
import { layerInWords } from './chartWords.ts';

describe('layers named in words on the charts', () => {
  it('says what each layer of each model is, its code name after it', () => {
    expect(layerInWords('fc1')).toBe('hidden layer (fc1)');
    expect(layerInWords('fc2')).toBe('output layer (fc2)');
    expect(layerInWords('out')).toBe('output layer (out)');
    expect(layerInWords('rnn0')).toBe('recurrent layer 1 (rnn0)');
    expect(layerInWords('lstm0')).toBe('recurrent layer 1 (lstm0)');
    expect(layerInWords('gru1')).toBe('recurrent layer 2 (gru1)');
  });

  it('leaves a name it does not know as it is, rather than guess', () => {
    expect(layerInWords('conv1')).toBe('conv1');
    expect(layerInWords('lstm')).toBe('lstm');
  });
});
