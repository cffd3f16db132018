// Page objects of the real-editor specs: each knows the selectors and waits of one part of the
// editor, so a spec reads as the scenario it checks. run.mjs hands every spec `pages`; a spec
// that drives another workbench (the sandbox's) builds its own with pagesOf(wb).
//
//   tree            the Instances view (rows, descriptions, hovers, inline actions, Test Connection)
//   instanceForm    Add Instance / Edit Instance… (fields, Cloud policies)
//   credentials     Set Credentials… (kinds, masked input)
//   unenroll        the Unenroll panel (and its Request section: unenroll.request)
//   snippet         the snippet panel (read: run, reveal, export; destructive: preview, apply)
//   cloud           the Cloud recovery panel
//   audit           the audit log panel (local and Team views)
//   bulk            Bulk Disable 2SV… (its quick inputs, preview, confirmation, report)
//   commands        Restore Backup…, New Snippet…, imports, Export Evidence Report…
//   requestStep     the request step of bulk, Restore Backup… and Move Back (reason, or ticket with its card)
//   quick           quick picks and input boxes, and quick.pickInstance (the one place that
//                   answers "which instance?", also when the product skips the question)
//   notifications, dialogs, editor, statusBar, welcome
import { auditPanelPage } from './auditPanel.mjs';
import { bulkPage } from './bulk.mjs';
import { cloudPanelPage } from './cloudPanel.mjs';
import { commandsPage } from './commands.mjs';
import { credentialsPage } from './credentials.mjs';
import { dialogsPage } from './dialogs.mjs';
import { editorPage } from './editor.mjs';
import { instanceFormPage } from './instanceForm.mjs';
import { instancesTreePage } from './instancesTree.mjs';
import { notificationsPage } from './notifications.mjs';
import { quickInputPage } from './quickInput.mjs';
import { requestStepPage } from './requestStep.mjs';
import { snippetPanelPage } from './snippetPanel.mjs';
import { statusBarPage } from './statusBar.mjs';
import { unenrollPanelPage } from './unenrollPanel.mjs';
import { welcomePage } from './welcome.mjs';

/**
 * @param {ReturnType<import('../workbench.mjs').createWorkbench>} wb
 * @param {{ containerTitle: string, log?: (m: string) => void }} o
 */
export function pagesOf(wb, { containerTitle, log = () => {} }) {
  const quick = quickInputPage(wb, { log });
  const notifications = notificationsPage(wb);
  const dialogs = dialogsPage(wb);
  const editor = editorPage(wb);
  const tree = instancesTreePage(wb, { containerTitle, quick, notifications, dialogs });
  const audit = auditPanelPage(wb);
  return {
    quick,
    requestStep: requestStepPage(wb, { quick }),
    notifications,
    dialogs,
    editor,
    tree,
    audit,
    instanceForm: instanceFormPage(wb, { quick }),
    credentials: credentialsPage(wb, { quick, notifications }),
    unenroll: unenrollPanelPage(wb, { audit }),
    snippet: snippetPanelPage(wb, { quick, dialogs }),
    cloud: cloudPanelPage(wb, { tree }),
    bulk: bulkPage(wb, { quick, editor, dialogs }),
    commands: commandsPage(wb, { quick, dialogs }),
    statusBar: statusBarPage(wb),
    welcome: welcomePage(wb, { quick, log }),
  };
}
