// Loaded after the test framework in every test file: removes the directories the file made
// with tempDir() once its tests are done, whether they passed or not.
import { afterAll } from '@jest/globals';
import { removeTempDirs } from './cli.js';

afterAll(() => removeTempDirs());
