//! The pipeline, put together: a spec is loaded and its templates, presets and schema are
//! prepared once into a [`Program`]; the program then renders any number of input sets
//! (one for `build`, one per CSV row for `batch`) through expand → lower → check.

pub(crate) mod plan;
pub(crate) mod prebuilt;
mod slot_lints;

pub use crate::lint::{LintOptions, is_row_aware};
pub use plan::Planned;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::check::{self, Schema};
use crate::diag::{Diagnostic, Diagnostics};
use crate::error::Error;
use crate::expand::{self, Engine, Scope};
use crate::inputs::{Inputs, Raw, Vars};
use crate::library::Library;
use crate::load::{self, shape, yaml};
use crate::lower::{ClipTemplate, Lowered, Lowerer, Presets, Skeletons};

/// Everything a compilation takes besides the spec file.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--templates DIR`: folders that add or override library entries, in order.
    pub templates: Vec<PathBuf>,
    /// `--vars FILE`: YAML or JSON files of values, applied in order.
    pub vars_files: Vec<PathBuf>,
    /// `--set NAME=VALUE`, applied last.
    pub sets: Vec<String>,
    /// What the lints are told (`--max-speech`).
    pub lints: crate::lint::LintOptions,
}

/// A compiled spec: ready to render input sets.
pub struct Program {
    root: yaml::Node,
    engine: Engine,
    scene_files: BTreeMap<String, expand::SceneTemplate>,
    skeletons: Skeletons,
    presets: Presets,
    pub vars: Vars,
    /// Defaults and `--vars` files: the inputs below a CSV row.
    base: Inputs,
    /// `--set` values, already converted: the inputs above a CSV row.
    overrides: Inputs,
    schema: Arc<Schema>,
    default_name: String,
    /// Warnings found while compiling (unknown names in a vars file, …).
    pub(crate) warnings: Vec<Diagnostic>,
    lint_options: crate::lint::LintOptions,
}

impl Program {
    /// Loads and compiles a spec; reports every problem it can find before failing.
    pub fn load(spec_path: &Path, options: &Options) -> Result<Program, Error> {
        load::stdin_once(&load::Inputs::compile(spec_path, &options.vars_files))?;
        let library = Library::with_dirs(&options.templates)?;
        let root = load::load_spec(spec_path)?;
        Program::compile(root, spec_path, library, options)
    }

    /// Compiles a spec already parsed (`decompile` checks the spec it writes this way);
    /// `spec_path` is where its preset files are found and what names the project by default.
    pub(crate) fn from_tree(
        root: yaml::Node,
        spec_path: &Path,
        options: &Options,
    ) -> Result<Program, Error> {
        let library = Library::with_dirs(&options.templates)?;
        Program::compile(root, spec_path, library, options)
    }

    fn compile(
        mut root: yaml::Node,
        spec_path: &Path,
        library: Library,
        options: &Options,
    ) -> Result<Program, Error> {
        let mut diags = Diagnostics::default();
        shape::check(&root, &shape::PROJECT, "the spec", &mut diags);
        shape::check_version(&root, &mut diags);
        let vars = Vars::parse(root.get("vars"), &mut diags);

        let mut engine = Engine::new();
        expand::compile(&mut root, &mut engine, &mut diags);
        let mut scene_files = BTreeMap::new();
        for (name, entry) in &library.scenes {
            match add_template(&mut engine, entry) {
                Ok(()) => {
                    scene_files.insert(
                        name.clone(),
                        expand::SceneTemplate::new(&entry.name, &entry.text),
                    );
                }
                Err(d) => diags.push(d),
            }
        }
        let mut clip_files = HashMap::new();
        for (clip_type, entry) in &library.clips {
            match add_template(&mut engine, entry) {
                Ok(()) => {
                    let template = ClipTemplate {
                        file: entry.name.clone(),
                        builtin: crate::library::is_builtin(entry),
                    };
                    clip_files.insert(clip_type.clone(), template);
                }
                Err(d) => diags.push(d),
            }
        }

        let mut presets = Presets::load(library.models.values(), &mut diags);
        add_spec_presets(&root, spec_path, &mut presets, &mut diags);

        let mut base = vars.defaults();
        for file in &options.vars_files {
            match load::load_spec(file) {
                Ok(node) => vars.apply_file(&mut base, &node, &mut diags),
                Err(d) => diags.push(d),
            }
        }
        let mut overrides = Inputs::new();
        for arg in &options.sets {
            let (name, value) = crate::inputs::split_assignment(arg).map_err(Error::Usage)?;
            if let Err(mut d) = vars.set(&mut overrides, name, Raw::Text(value)) {
                let decl = vars.get(name);
                d.message = format!("--set {name}: {}", d.message);
                if let Some(decl) = decl {
                    d = d.with_context("variable declared", &decl.span);
                }
                diags.push(d);
            }
        }
        if diags.has_errors() {
            return Err(diags.into());
        }
        let default_name = spec_path.file_stem().filter(|s| *s != "-").map_or_else(
            || "vidspec".to_owned(),
            |s| s.to_string_lossy().into_owned(),
        );
        Ok(Program {
            root,
            engine,
            scene_files,
            skeletons: Skeletons::new(clip_files),
            presets,
            vars,
            base,
            overrides,
            schema: Schema::project(),
            default_name,
            warnings: diags.items,
            lint_options: options.lints,
        })
    }

    /// The lints of a project this program rendered, located through `origins`.
    pub(crate) fn lint(
        &self,
        project: &serde_json::Value,
        origins: &crate::lower::Origins,
    ) -> Vec<Diagnostic> {
        crate::lint::lint(project, origins, &self.presets, &self.lint_options)
    }

    /// The lints of a project this program rendered (what `check` warns of, past the
    /// compiler's own warnings).
    pub fn lints(&self, lowered: &Lowered) -> Vec<Diagnostic> {
        self.lint(&lowered.project, &lowered.origins)
    }

    /// The inputs for one render: defaults < vars files < `row` < `--set`.
    pub fn inputs(&self, row: &Inputs) -> Result<Inputs, Diagnostics> {
        self.resolve(row).map_err(|missing| Diagnostics {
            items: missing.into_iter().map(Vars::missing_diagnostic).collect(),
        })
    }

    /// Like [`Program::inputs`]; on failure, the required variables that have no value.
    pub(crate) fn resolve(&self, row: &Inputs) -> Result<Inputs, Vec<&crate::inputs::VarDecl>> {
        let mut inputs = self.base.clone();
        inputs.extend(row.iter().map(|(k, v)| (k.clone(), v.clone())));
        inputs.extend(self.overrides.iter().map(|(k, v)| (k.clone(), v.clone())));
        let missing = self.vars.missing(&inputs);
        if missing.is_empty() {
            Ok(inputs)
        } else {
            Err(missing)
        }
    }

    /// Renders one input set into a checked project.
    pub fn render(&self, inputs: &Inputs) -> Result<Lowered, Diagnostics> {
        let lowered = self.lower(inputs)?;
        let problems = check::check_project(&lowered.project, &lowered.origins, &self.schema);
        if problems.is_empty() {
            Ok(lowered)
        } else {
            Err(Diagnostics { items: problems })
        }
    }

    /// Expands and lowers one input set, without checking the project.
    pub(crate) fn lower(&self, inputs: &Inputs) -> Result<Lowered, Diagnostics> {
        let scope = Scope::from_inputs(inputs);
        let expanded = expand::expand(&self.root, &self.engine, &self.scene_files, &scope)?;
        self.lowerer(false).lower(&expanded)
    }

    fn lowerer(&self, partial: bool) -> Lowerer<'_> {
        Lowerer::new(
            &self.engine,
            &self.skeletons,
            &self.presets,
            &self.default_name,
            partial,
        )
    }

    /// Whether `--set` fixes a variable (so no row can change it).
    pub(crate) fn is_overridden(&self, name: &str) -> bool {
        self.overrides.contains_key(name)
    }

    /// Prepares to render rows that give values for `columns` (declared variables only).
    pub fn rows<'p>(&'p self, columns: &[String]) -> RowRenderer<'p> {
        let row_vars: HashSet<String> = columns
            .iter()
            .filter(|c| self.vars.get(c).is_some() && !self.is_overridden(c))
            .cloned()
            .collect();
        RowRenderer {
            program: self,
            plan: plan::RowPlan::new(self, &row_vars),
        }
    }

    /// Adds a template of the caller's to the spec's engine (a batch's `--out` pattern, which
    /// sees the same filters); the variables it reads.
    pub(crate) fn add_file_template(
        &mut self,
        name: &str,
        text: &str,
    ) -> Result<std::collections::BTreeSet<String>, Diagnostic> {
        self.engine.add_file(name, text)?;
        Ok(self.engine.file_vars(name))
    }

    /// Renders a template added by [`Program::add_file_template`].
    pub(crate) fn render_file_template(
        &self,
        name: &str,
        ctx: &minijinja::Value,
    ) -> Result<String, Diagnostic> {
        self.engine.render_file(name, ctx)
    }
}

/// Renders rows of one batch: through the row plan when it can vouch for a row, through the
/// full pipeline otherwise (which also reports a row's errors).
pub struct RowRenderer<'p> {
    program: &'p Program,
    plan: Option<plan::RowPlan<'p>>,
}

impl RowRenderer<'_> {
    /// Whether rows go through a row plan (prebuilt shapes) before the full pipeline.
    pub fn is_prebuilt(&self) -> bool {
        self.plan.is_some()
    }

    /// Whether rows are written straight from prebuilt bytes.
    pub fn fills_bytes(&self) -> bool {
        self.is_prebuilt()
    }

    /// The checked project for one row's resolved inputs (see [`Program::inputs`]).
    pub fn render(&self, inputs: &Inputs) -> Result<serde_json::Value, Diagnostics> {
        if let Some(bytes) = self.planned(inputs, crate::emit::Format::Compact) {
            if let Ok(project) = serde_json::from_slice(&bytes) {
                return Ok(project);
            }
        }
        self.program.render(inputs).map(|lowered| lowered.project)
    }

    /// Like [`RowRenderer::render`], serialized.
    pub fn render_bytes(
        &self,
        inputs: &Inputs,
        format: crate::emit::Format,
    ) -> Result<Vec<u8>, Diagnostics> {
        if let Some(bytes) = self.planned(inputs, format) {
            return Ok(bytes);
        }
        self.program
            .render(inputs)
            .map(|lowered| crate::emit::to_bytes(&lowered.project, format))
    }

    /// The row through the row plan alone: None when the plan cannot vouch for it (the full
    /// pipeline then renders it). For tests and benchmarks that hold the two paths together.
    pub fn planned(&self, inputs: &Inputs, format: crate::emit::Format) -> Option<Vec<u8>> {
        let plan = self.plan.as_ref()?;
        let planned = plan.render_bytes(&Scope::from_inputs(inputs), format, false);
        planned.ok().map(|p| p.bytes)
    }

    /// Like [`RowRenderer::planned`], with the row's lints (through the shape's slots where
    /// it can).
    pub fn planned_linted(
        &self,
        inputs: &Inputs,
        format: crate::emit::Format,
    ) -> Option<plan::Planned> {
        let plan = self.plan.as_ref()?;
        plan.render_bytes(&Scope::from_inputs(inputs), format, true)
            .ok()
    }

    /// Like [`RowRenderer::render`], with the project's lints (this row's values in it).
    pub fn render_linted(
        &self,
        inputs: &Inputs,
    ) -> Result<(serde_json::Value, Vec<Diagnostic>), Diagnostics> {
        if let Some(planned) = self.planned_linted(inputs, crate::emit::Format::Compact) {
            if let Ok(project) = serde_json::from_slice(&planned.bytes) {
                return Ok((project, planned.lints));
            }
        }
        let lowered = self.program.render(inputs)?;
        let lints = self.program.lint(&lowered.project, &lowered.origins);
        Ok((lowered.project, lints))
    }

    /// Like [`RowRenderer::render_bytes`], with the project's lints.
    pub fn render_bytes_linted(
        &self,
        inputs: &Inputs,
        format: crate::emit::Format,
    ) -> Result<(Vec<u8>, Vec<Diagnostic>), Diagnostics> {
        if let Some(planned) = self.planned_linted(inputs, format) {
            return Ok((planned.bytes, planned.lints));
        }
        let lowered = self.program.render(inputs)?;
        let lints = self.program.lint(&lowered.project, &lowered.origins);
        Ok((crate::emit::to_bytes(&lowered.project, format), lints))
    }
}

/// Adds the presets a spec's `presets:` list names (files beside the spec, or inline ones).
pub(crate) fn add_spec_presets(
    root: &yaml::Node,
    spec_path: &Path,
    presets: &mut Presets,
    diags: &mut Diagnostics,
) {
    let Some(list) = root.get("presets") else {
        return;
    };
    let yaml::NodeKind::Seq(items) = &list.kind else {
        diags.push(
            Diagnostic::error("`presets` is a list of preset files or inline presets")
                .at(&list.span),
        );
        return;
    };
    let folder = spec_path.parent().unwrap_or(Path::new(""));
    for item in items {
        match &item.kind {
            yaml::NodeKind::Str(path) => presets.add_file(&folder.join(path), &item.span, diags),
            yaml::NodeKind::Map(_) => presets.add_node(item, diags),
            _ => diags.push(
                Diagnostic::error("a `presets` entry is a file path or a preset mapping")
                    .at(&item.span),
            ),
        }
    }
}

/// Compiles a spec once with the given options and renders it: the project, and every
/// warning (the compiler's and the lints of the result). `build`, `check`, `preview` and
/// `submit` all report the same warnings.
pub fn build(spec_path: &Path, options: &Options) -> Result<(Lowered, Vec<Diagnostic>), Error> {
    let program = Program::load(spec_path, options)?;
    check_loaded(&program, &Inputs::new())
}

/// The same as [`build`]: `vidspec check` (which prints no project).
pub(crate) fn check(
    spec_path: &Path,
    options: &Options,
) -> Result<(Lowered, Vec<Diagnostic>), Error> {
    build(spec_path, options)
}

/// Registers a template file of the library: one of `--templates` is compiled now (its errors
/// are the spec's), a built-in one when first used.
fn add_template(engine: &mut Engine, entry: &crate::library::Entry) -> Result<(), Diagnostic> {
    if crate::library::is_builtin(entry) {
        engine.add_builtin(&entry.name, &entry.text);
        Ok(())
    } else {
        engine.add_file(&entry.name, &entry.text)
    }
}

/// `check`'s verdict on a loaded program for one row of inputs: the checked project and every
/// warning, the lints of the result among them (the language server checks this way too).
pub(crate) fn check_loaded(
    program: &Program,
    row: &Inputs,
) -> Result<(Lowered, Vec<Diagnostic>), Error> {
    let inputs = program.inputs(row)?;
    let lowered = program.render(&inputs)?;
    let mut warnings = program.warnings.clone();
    warnings.extend(program.lint(&lowered.project, &lowered.origins));
    Ok((lowered, warnings))
}
