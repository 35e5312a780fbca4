// A guided flow of input boxes and pickers in one quick input: a title with "(step/total)", a Back
// button that returns to the previous step with what was typed there still in it, and checks that run
// when a step is accepted (busy spinner, the failure shown under the box, the input kept). Each step is
// a function that asks one thing and returns the next step; Back re-runs the previous one.
import * as vscode from 'vscode';
import { errorText } from '../../objects/errors';

/** Thrown inside a step when the user pressed Back; the runner goes one step back. */
class GoBack extends Error {}
/** Goes back one step from inside a step (a step with nothing to offer, say). */
export function goBack(): never {
  throw new GoBack();
}

/** Thrown when the user closed the input (Escape, focus lost without ignoreFocusOut). */
class Cancelled extends Error {}

export type Step = (input: MultiStepInput) => Promise<Step | void>;

/** What an accept check says: nothing (fine), a problem to show, or a problem that Enter again overrides. */
export type CheckResult = undefined | string | { message: string; overridable: true };

export interface InputBoxStep {
  /** This step's own title, in place of the flow's ("Content-Type" → "Content-Type (1/2)"). */
  title?: string;
  prompt: string;
  value?: string;
  placeholder?: string;
  /** The part of `value` selected when the box opens (a file name's stem, say). */
  selection?: [number, number];
  password?: boolean;
  /** Cheap, synchronous: runs on every keystroke (a malformed URL is refused here, with why). */
  validate?: (value: string) => string | undefined;
  /** Runs on Enter, with a busy spinner: a network check. The box stays open with its message on failure. */
  accept?: (value: string) => Promise<CheckResult>;
  /** Shown when the value is empty and Enter is pressed: allowed (optional step) only when true. */
  allowEmpty?: boolean;
  /** Told the value whenever the step is left, by Enter or by Back, so that coming back shows it again. */
  remember?: (value: string) => void;
}

export interface PickItem<T> extends vscode.QuickPickItem {
  value: T;
}

export interface QuickPickStep<T> {
  placeholder: string;
  /** The items, or their listing: the picker is busy until it arrives, and a failure shows in the placeholder. */
  items: PickItem<T>[] | Promise<PickItem<T>[]>;
  /** The placeholder when the items are none. */
  emptyPlaceholder?: string;
  /** The value to preselect (the last choice, or a detected one). */
  active?: T;
  /** Preselects the item this says yes to (values that are objects: the same bucket listed anew). */
  isActive?: (value: T) => boolean;
  /** The value saved now (Edit Connection): its item is listed first and marked "current". */
  current?: T;
  /** Runs on pick, with a busy spinner; a problem keeps the picker open and shows it in the title line. */
  accept?: (value: T) => Promise<CheckResult>;
}

export interface QuickPickManyStep<T> {
  placeholder: string;
  items: PickItem<T>[];
  /** The values checked when the step opens (the current ones, or those chosen before Back). */
  selected: T[];
  /** Told the checked values whenever the step is left, by Enter or by Back. */
  remember?: (values: T[]) => void;
}

export class MultiStepInput {
  private current?: vscode.QuickInput;
  /** Step number shown in the title; the runner sets it before each step. */
  step = 0;

  constructor(
    private readonly title: string,
    /** The number of steps for the path chosen so far (it changes with the choices). */
    private readonly totalSteps: () => number,
  ) {}

  /** Runs the flow from `first`; false when the user cancelled it. */
  static async run(title: string, totalSteps: () => number, first: Step): Promise<boolean> {
    const input = new MultiStepInput(title, totalSteps);
    const done: Step[] = [];
    let next: Step | void = first;
    try {
      while (next) {
        input.step = done.length + 1;
        try {
          const step: Step = next;
          next = await step(input);
          done.push(step);
        } catch (e) {
          if (!(e instanceof GoBack)) throw e;
          next = done.pop() ?? first;
        }
      }
      return true;
    } catch (e) {
      if (e instanceof Cancelled) return false;
      throw e;
    } finally {
      input.current?.dispose();
    }
  }

  private titleText(title = this.title): string {
    const total = Math.max(this.step, this.totalSteps());
    // One question is not a flow: no "(1/1)".
    return total === 1 ? title : `${title} (${this.step}/${total})`;
  }

  private swap(next: vscode.QuickInput, title?: string): void {
    this.current?.dispose();
    this.current = next;
    next.title = this.titleText(title);
    next.step = undefined;
    next.ignoreFocusOut = true;
    next.show();
  }

  async inputBox(spec: InputBoxStep): Promise<string> {
    const box = vscode.window.createInputBox();
    box.prompt = spec.prompt;
    box.value = spec.value ?? '';
    box.valueSelection = spec.selection;
    box.placeholder = spec.placeholder;
    box.password = Boolean(spec.password);
    box.buttons = this.step > 1 ? [vscode.QuickInputButtons.Back] : [];
    const disposables: vscode.Disposable[] = [];
    try {
      return await new Promise<string>((resolve, reject) => {
        let overridden: string | undefined;
        const show = (message: string | undefined) => {
          box.validationMessage = message;
        };
        disposables.push(
          box.onDidTriggerButton((b) => {
            if (b !== vscode.QuickInputButtons.Back) return;
            spec.remember?.(box.value);
            reject(new GoBack());
          }),
          box.onDidChangeValue((v) => {
            overridden = undefined;
            show(spec.validate?.(v));
          }),
          box.onDidAccept(async () => {
            const value = box.value;
            const invalid = spec.validate?.(value);
            if (invalid) return show(invalid);
            if (!value.trim() && !spec.allowEmpty) return show(vscode.l10n.t('This cannot be empty.'));
            if (spec.accept && overridden !== value) {
              box.busy = true;
              box.enabled = false;
              let result: CheckResult;
              try {
                result = await spec.accept(value);
              } catch (e) {
                result = (e as Error).message;
              } finally {
                box.busy = false;
                box.enabled = true;
              }
              if (typeof result === 'string') return show(result);
              if (result) {
                overridden = value;
                return show(result.message);
              }
            }
            spec.remember?.(value);
            resolve(value);
          }),
          box.onDidHide(() => reject(new Cancelled())),
        );
        this.swap(box, spec.title);
        show(spec.value ? spec.validate?.(spec.value) : undefined);
      });
    } finally {
      for (const d of disposables) d.dispose();
    }
  }

  async quickPick<T>(spec: QuickPickStep<T>): Promise<T> {
    const pick = vscode.window.createQuickPick<PickItem<T>>();
    pick.placeholder = spec.placeholder;
    pick.matchOnDescription = true;
    pick.buttons = this.step > 1 ? [vscode.QuickInputButtons.Back] : [];
    const fill = (listed: PickItem<T>[]) => {
      const items = spec.current === undefined ? listed : currentFirst(listed, spec.current);
      pick.items = items;
      if (items.length === 0 && spec.emptyPlaceholder) pick.placeholder = spec.emptyPlaceholder;
      const active = items.find((i) => (spec.isActive ? spec.isActive(i.value) : i.value === spec.active));
      if (active) pick.activeItems = [active];
    };
    if (Array.isArray(spec.items)) fill(spec.items);
    else {
      pick.busy = true;
      spec.items.then(fill, (e: unknown) => (pick.placeholder = errorText(e))).finally(() => (pick.busy = false));
    }
    const disposables: vscode.Disposable[] = [];
    try {
      return await new Promise<T>((resolve, reject) => {
        let overridden: T | undefined;
        disposables.push(
          pick.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && reject(new GoBack())),
          pick.onDidAccept(async () => {
            const item = pick.selectedItems[0] ?? pick.activeItems[0];
            if (!item || pick.busy) return;
            if (spec.accept && overridden !== item.value) {
              pick.busy = true;
              pick.enabled = false;
              let result: CheckResult;
              try {
                result = await spec.accept(item.value);
              } catch (e) {
                result = (e as Error).message;
              } finally {
                pick.busy = false;
                pick.enabled = true;
              }
              if (result) {
                if (typeof result !== 'string') overridden = item.value;
                pick.placeholder = typeof result === 'string' ? result : result.message;
                return;
              }
            }
            resolve(item.value);
          }),
          pick.onDidHide(() => reject(new Cancelled())),
        );
        this.swap(pick);
      });
    } finally {
      for (const d of disposables) d.dispose();
    }
  }

  /** A step with checkboxes: Enter (or OK) takes what is checked, none included. */
  async quickPickMany<T>(spec: QuickPickManyStep<T>): Promise<T[]> {
    const pick = vscode.window.createQuickPick<PickItem<T>>();
    pick.canSelectMany = true;
    pick.placeholder = spec.placeholder;
    pick.items = spec.items;
    pick.selectedItems = spec.items.filter((i) => spec.selected.includes(i.value));
    pick.buttons = this.step > 1 ? [vscode.QuickInputButtons.Back] : [];
    const disposables: vscode.Disposable[] = [];
    try {
      return await new Promise<T[]>((resolve, reject) => {
        const values = () => pick.selectedItems.map((i) => i.value);
        disposables.push(
          pick.onDidTriggerButton((b) => {
            if (b !== vscode.QuickInputButtons.Back) return;
            spec.remember?.(values());
            reject(new GoBack());
          }),
          pick.onDidAccept(() => {
            spec.remember?.(values());
            resolve(values());
          }),
          pick.onDidHide(() => reject(new Cancelled())),
        );
        this.swap(pick);
      });
    } finally {
      for (const d of disposables) d.dispose();
    }
  }

  /**
   * A step that drives its own QuickPick (a browser with levels of its own): `build` wires it and calls
   * `done.resolve` with the answer, or `done.back` to go back a step (its Back button is its own to handle:
   * up a level first, say). Closing it cancels the flow.
   */
  async customPick<I extends vscode.QuickPickItem, T>(build: (pick: vscode.QuickPick<I>, done: CustomPickDone<T>) => vscode.Disposable[]): Promise<T> {
    const pick = vscode.window.createQuickPick<I>();
    pick.matchOnDescription = true;
    pick.buttons = this.step > 1 ? [vscode.QuickInputButtons.Back] : [];
    const disposables: vscode.Disposable[] = [];
    try {
      return await new Promise<T>((resolve, reject) => {
        disposables.push(pick.onDidHide(() => reject(new Cancelled())));
        this.swap(pick);
        disposables.push(...build(pick, { resolve, back: () => reject(new GoBack()) }));
      });
    } finally {
      for (const d of disposables) d.dispose();
    }
  }
}

export interface CustomPickDone<T> {
  resolve(value: T): void;
  back(): void;
}

/** The item of the saved value first, its description saying so; the others in their order. */
export function currentFirst<T>(items: PickItem<T>[], current: T): PickItem<T>[] {
  const at = items.findIndex((i) => i.value === current);
  if (at < 0) return items;
  const mark = vscode.l10n.t('current');
  const it = items[at];
  return [{ ...it, description: it.description ? `${mark} · ${it.description}` : mark }, ...items.slice(0, at), ...items.slice(at + 1)];
}
