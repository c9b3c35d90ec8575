import { describe, expect, it } from '@jest/globals';
import { describeRejection, readRejection, rejectsUserProperty } from '../../src/amplitude/envelope.js';

// Bodies in the shape of amplitude-api.md §3, written by hand.
describe('readRejection', () => {
  it('takes the message and the details out of the envelope', () => {
    const body = { error: { http_code: 400, type: 'invalid', message: 'Bad request', metadata: { details: 'start is after end' } } };
    expect(readRejection(body)).toEqual({ message: 'Bad request', details: 'start is after end' });
  });

  it('leaves out an empty message or empty details rather than keeping ""', () => {
    expect(readRejection({ error: { message: '', metadata: { details: 'why' } } })).toEqual({ details: 'why' });
    expect(readRejection({ error: { message: 'what', metadata: { details: '' } } })).toEqual({ message: 'what' });
  });

  it('reads an envelope whose metadata is null or missing', () => {
    expect(readRejection({ error: { message: 'what', metadata: null } })).toEqual({ message: 'what' });
    expect(readRejection({ error: { message: 'what' } })).toEqual({ message: 'what' });
    expect(readRejection({ error: {} })).toEqual({});
  });

  it('gives nothing for a body that is not the envelope', () => {
    expect(readRejection('Bad request')).toEqual({});
    expect(readRejection(null)).toEqual({});
    expect(readRejection({ message: 'not wrapped' })).toEqual({});
    expect(readRejection({ error: 'a string, not an object' })).toEqual({});
    expect(readRejection({ error: { message: 42 } })).toEqual({});
  });
});

describe('describeRejection', () => {
  it('joins message and details with a dash on one line', () => {
    expect(describeRejection({ message: 'Bad request', details: 'start is after end' })).toBe('Bad request — start is after end');
    expect(describeRejection({ message: 'Bad request' })).toBe('Bad request');
    expect(describeRejection({ details: 'start is after end' })).toBe('start is after end');
  });

  it('folds line breaks and runs of spaces into single spaces and trims the ends', () => {
    expect(describeRejection({ message: '  Bad\n\nrequest ', details: 'a\tb' })).toBe('Bad request — a b');
  });

  it('says the stand-in when Amplitude gave no words', () => {
    expect(describeRejection({})).toBe('no reason given');
    expect(describeRejection({ message: '', details: '' })).toBe('no reason given');
    expect(describeRejection({}, 'empty body')).toBe('empty body');
  });

  it('skips an empty message but keeps the details', () => {
    expect(describeRejection({ message: '', details: 'why' })).toBe('why');
  });
});

describe('rejectsUserProperty', () => {
  it('recognises the invalid-property 400 in the message or the details, in any case', () => {
    expect(rejectsUserProperty({ message: 'Invalid user property country' }, 'country')).toBe(true);
    expect(rejectsUserProperty({ details: 'INVALID USER PROPERTY country' }, 'country')).toBe(true);
    expect(rejectsUserProperty({ message: 'Bad request', details: 'Invalid user property country.' }, 'country')).toBe(true);
  });

  it('does not match another property, a longer name, or other errors', () => {
    expect(rejectsUserProperty({ message: 'Invalid user property city' }, 'country')).toBe(false);
    expect(rejectsUserProperty({ message: 'Invalid user property country_code' }, 'country')).toBe(false);
    expect(rejectsUserProperty({ message: 'Invalid event type' }, 'country')).toBe(false);
    expect(rejectsUserProperty({}, 'country')).toBe(false);
  });
});
