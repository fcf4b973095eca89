import { describe, expect, test } from 'vitest';
import { TEMPLATES } from '../model/templates.ts';
import { analyze } from './analysis.ts';
import * as G from './graph-model.ts';
import { graphFromDocument } from './document.ts';

const template = (id: string) => graphFromDocument(TEMPLATES.find((t) => t.id === id)!.doc);

describe('analysis', () => {
  test('the seed BS model: 1024 features after Flatten, 145,578 parameters, exportable', () => {
    const a = analyze(template('cifar10-bs'));
    const flatten = a.order[6];
    expect(a.nodes.get(flatten)!.outShape).toEqual([1, 1024]);
    expect(a.summary!.totalParams).toBe(145578);
    expect(a.problems).toEqual([]);
    expect(a.exportable).toBe(true);
    expect(a.doc.modules).toEqual(TEMPLATES[0].doc.modules);
    expect(Object.keys(a.doc.editor!.positions!)).toHaveLength(9);
  });

  test('a wrong in_features marks that node with the arithmetic and a fix', () => {
    const g = G.setKeyword(template('cifar10-bs'), 'n8', 'in_features', 1000);
    const info = analyze(g).nodes.get('n8')!;
    expect(info.shapeError!.message).toContain('1024');
    expect(info.shapeError!.fix).toMatchObject({ set: { field: 'in_features', value: 1024 } });
    expect(analyze(g).nodes.get('n9')!.outShape).toBeNull();
  });

  test('an unconnected block is loose, not an error; the chain still has shapes', () => {
    const { graph, id } = G.addNode(
      template('cifar10-bs'),
      { kind: 'layer', layer: { type: 'ReLU' } },
      { x: 500, y: 0 },
    );
    const a = analyze(graph);
    expect(a.loose).toEqual([id]);
    expect(a.problems).toEqual([]);
    expect(a.nodes.get(id)!.index).toBeNull();
    expect(a.summary!.totalParams).toBe(145578);
  });

  test('a second output is fine; two ends of the model are an error naming both blocks, not ids', () => {
    const base = template('cifar10-bs');
    const { graph, id } = G.addNode(
      base,
      { kind: 'layer', layer: { type: 'ReLU' } },
      { x: 500, y: 0 },
      { after: 'n1' },
    );
    const a = analyze(graph);
    expect(a.chain).toBe(false);
    expect(a.problems[0].message).toBe(
      'the model returns one tensor, but Linear linear2 and ReLU relu1 all end the graph: connect the extra ends or delete them',
    );
    expect(a.problems[0].message).not.toMatch(/node n\d/);
    expect(a.nodes.get(id)!.graphErrors.length).toBe(1);
    expect(a.nodes.get('n1')!.graphErrors).toEqual([]);
    expect(a.exportable).toBe(false);
  });

  test('names: all or none, valid and unique', () => {
    const named = analyze(template('seed-conv-relu'));
    expect(named.doc.modules.map((m) => m.name)).toEqual(['conv1', 'relu1', 'conv2', 'relu2']);
    expect(named.problems).toEqual([]);
    const partial = analyze(G.setName(template('seed-conv-relu'), 'n2', undefined));
    expect(partial.problems[0].message).toContain('3 of 4 layers have names');
    expect(partial.exportable).toBe(false);
    const dup = analyze(G.setName(template('seed-conv-relu'), 'n2', 'conv1'));
    expect(dup.problems[0]).toMatchObject({ nodeId: 'n2' });
    const keyword = analyze(G.setName(template('seed-conv-relu'), 'n2', 'class'));
    expect(keyword.nodes.get('n2')!.nameError).toContain('keyword');
  });

  test('an invalid keyword is a field error on its node', () => {
    const g = G.setKeyword(template('cifar10-bs'), 'n1', 'groups', 2);
    const a = analyze(g);
    expect(a.nodes.get('n1')!.fieldErrors[0].message).toContain('groups must divide in_channels (3 % 2 != 0)');
    expect(a.exportable).toBe(false);
  });

  test('batch size flows into the summary', () => {
    expect(analyze(template('cifar10-bs'), 64).summary!.rows[6].outputShape).toEqual([64, 1024]);
  });
});

describe('Mult-Adds of a model with blocks', () => {
  test('the ResNet-20 template counts its convolutions and Linear per image, times the batch', () => {
    const doc = TEMPLATES.find((t) => t.id === 'cifar10-resnet20')!.doc;
    const one = analyze(graphFromDocument(doc), 1);
    expect(one.summary).toBeNull(); // not a chain: no Sequential table
    // 40.81 M per image (torchinfo's count; the README's figure for ResNet-20 on 32×32)
    expect(one.multAdds).toBeGreaterThan(40.8e6);
    expect(one.multAdds).toBeLessThan(40.82e6);
    expect(analyze(graphFromDocument(doc), 4).multAdds).toBe(4 * one.multAdds!);
  });
  test('none when a shape fails', () => {
    const doc = structuredClone(TEMPLATES.find((t) => t.id === 'cifar10-resnet20')!.doc);
    doc.input = [1, 32, 32]; // the stem's Conv2d takes 3 channels
    expect(analyze(graphFromDocument(doc), 1).multAdds).toBeNull();
  });
});
